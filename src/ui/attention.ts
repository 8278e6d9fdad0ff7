import type { Contact } from '../api/schema.js';

/*
 * What tells a person something new arrived while they look elsewhere: the tab title and icon carry
 * the unread count and whose Parley it is; desktop notifications are opt-in and say only "New
 * message" unless the person chose to show who wrote.
 */
const NOTIFY_KEY = 'parley.notify';
export type NotifyChoice = 'off' | 'hidden' | 'sender';

export function unreadTotal(contacts: Contact[]): number {
  return contacts.reduce((n, c) => n + (c.state === 'blocked' ? 0 : c.unread), 0);
}

export function showTitle(name: string, unread: number): void {
  document.title = `${unread > 0 ? `(${unread}) ` : ''}Parley — ${name}`;
  const badge =
    unread > 0
      ? `<circle cx="24" cy="8" r="8" fill="#d93025"/><text x="24" y="12" font-size="11" text-anchor="middle" fill="#fff" font-family="sans-serif">${unread > 9 ? '9+' : unread}</text>`
      : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="6" width="24" height="20" rx="6" fill="#2457d6"/>${badge}</svg>`;
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.appendChild(link);
  }
  link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function notifyChoice(): NotifyChoice {
  const v = localStorage.getItem(NOTIFY_KEY);
  return v === 'hidden' || v === 'sender' ? v : 'off';
}

/** Asks the browser for permission when turning notifications on; returns what is in effect. */
export async function setNotifyChoice(choice: NotifyChoice): Promise<NotifyChoice> {
  if (choice !== 'off') {
    if (typeof Notification === 'undefined') return 'off';
    const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (permission !== 'granted') choice = 'off';
  }
  localStorage.setItem(NOTIFY_KEY, choice);
  return choice;
}

/** A desktop notification for a message that arrived while the tab is not in view. */
export function notifyArrival(senderName: string): void {
  const choice = notifyChoice();
  if (choice === 'off' || document.visibilityState === 'visible') return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  new Notification('Parley', { body: choice === 'sender' ? `New message from ${senderName}` : 'New message', tag: 'parley-message' });
}
