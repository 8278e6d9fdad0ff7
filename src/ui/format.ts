import { NOT_SENT_YET } from '../api/client.js';
import type { Contact, Message, RouteReceipt } from '../api/schema.js';

export const ROUTE_LABEL: Record<RouteReceipt['route'], string> = { direct: 'Direct', 'one-relay': '1 relay', 'two-relays': '2 relays' };

export const HOP_LABEL = (hop: string, name: string) =>
  hop === 'direct' ? `straight between your device and ${name}'s` : hop === 'my-relay' ? 'your relay' : `${name}'s relay`;

export const PARTY_LABEL = (party: string, name: string) => (party === 'contact' ? name : party === 'my-relay' ? 'Your relay' : `${name}'s relay`);

export function displayName(c: Pick<Contact, 'name' | 'id'>): string {
  return c.name || `${c.id.slice(0, 8)}…`;
}

export function stateLabel(m: Message): string {
  switch (m.state) {
    case 'waiting':
      return m.waitingBecause && m.waitingBecause !== NOT_SENT_YET ? `Waiting in outbox: ${m.waitingBecause}` : 'Waiting in outbox';
    case 'sent':
      return 'Sent (waiting for their receipt)';
    case 'delivered':
      return 'Delivered';
    case 'received':
      return 'Received';
  }
}

export function time(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** What one visibility setting means, in one sentence, for the settings screen. */
export function visibilityExplained(v: 'direct' | 'relayed', name: string): string {
  return v === 'relayed'
    ? `${name} never sees your IP address: your messages go through relays, which see only encrypted bytes, and your relay never learns who ${name} is.`
    : `${name} may see your IP address, because your devices can connect directly (no relay sees this conversation then); messages stay end-to-end encrypted.`;
}

/** Splits a search snippet (matches between \u0002 and \u0003) into plain and highlighted parts. */
export function snippetParts(s: string): Array<{ text: string; hit: boolean }> {
  const parts: Array<{ text: string; hit: boolean }> = [];
  for (const [i, chunk] of s.split('\u0002').entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk, hit: false });
      continue;
    }
    const [hit, rest] = chunk.split('\u0003');
    parts.push({ text: hit ?? '', hit: true });
    if (rest) parts.push({ text: rest, hit: false });
  }
  return parts;
}

export const svgDataUrl = (svg: string) => `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
