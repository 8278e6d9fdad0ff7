import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient } from '../api/client.js';
import { errorText } from './errors.js';
import type { ApiEvent, Contact, Message, State } from '../api/schema.js';
import { notifyArrival, showTitle, unreadTotal } from './attention.js';
import { displayName } from './format.js';
import { Onboarding, Unlock } from './onboarding.js';
import { Sidebar } from './sidebar.js';
import { Conversation } from './conversation.js';

const TOKEN = /(?:^|#|&)token=([A-Za-z0-9_-]{43})(?:&|$)/;

/** The token comes once in the URL fragment, then lives in this tab's session storage only. */
function takeToken(): string | null {
  const m = TOKEN.exec(location.hash);
  if (m) {
    sessionStorage.setItem('parley.token', m[1]!);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('parley.token');
}

/** A contact's row after a message of theirs arrived or changed: newest message first, unread counted. */
function withMessage(c: Contact, m: Message, isNew: boolean, inView: boolean): Contact {
  const at = m.receivedAt ?? m.sentAt;
  const newer = !c.last || at >= c.last.at;
  const unread = isNew && m.direction === 'in' && !inView ? c.unread + 1 : c.unread;
  return { ...c, last: newer ? { body: m.body, at, direction: m.direction } : c.last, unread };
}

export function App() {
  const [token, setToken] = useState(takeToken);
  const client = useMemo(() => (token ? new ApiClient('', token) : null), [token]);
  const [state, setState] = useState<State | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  // The event handler is set up once; it reads the current list (a sender's name) from here.
  const contactsRef = useRef(contacts);
  contactsRef.current = contacts;
  const [open, setOpenState] = useState<{ id: string; focus?: string } | null>(null);
  const openRef = useRef<string | null>(null);
  const setOpen = (id: string | null, focus?: string) => {
    openRef.current = id;
    setOpenState(id ? { id, ...(focus ? { focus } : {}) } : null);
  };
  const [connected, setConnected] = useState(true);
  const [lastEvent, setLastEvent] = useState<ApiEvent | null>(null);
  // Onboarding stays on screen until it says it is done (its sign-up step runs after the node started).
  const [onboarding, setOnboarding] = useState(false);
  useEffect(() => {
    if (state?.status === 'new') setOnboarding(true);
  }, [state?.status]);

  useEffect(() => {
    if (!client) return;
    client.state().then(setState, (e: unknown) => setError(errorText(e)));
    const events = client.events((e) => {
      if (e.type === 'state') setState(e.state);
      if (e.type === 'contact')
        setContacts((cs) => (cs.some((c) => c.id === e.contact.id) ? cs.map((c) => (c.id === e.contact.id ? e.contact : c)) : [...cs, e.contact]));
      if (e.type === 'presence') setContacts((cs) => cs.map((c) => (c.id === e.contactId ? { ...c, online: e.online } : c)));
      if (e.type === 'route') setContacts((cs) => cs.map((c) => (c.id === e.contactId ? { ...c, route: e.route } : c)));
      if (e.type === 'message' || e.type === 'delivery') {
        const m = e.message;
        const inView = openRef.current === m.contactId && document.visibilityState === 'visible';
        setContacts((cs) => cs.map((c) => (c.id === m.contactId ? withMessage(c, m, e.type === 'message', inView) : c)));
        if (e.type === 'message' && m.direction === 'in')
          notifyArrival(displayName(contactsRef.current.find((c) => c.id === m.contactId) ?? { id: m.contactId, name: null }));
      }
      setLastEvent(e);
    }, setConnected);
    return () => events.close();
  }, [client]);

  const running = state?.status === 'running';
  const unread = unreadTotal(contacts);
  const myName = state?.me?.name || 'You';
  useEffect(() => showTitle(myName, unread), [myName, unread]);
  useEffect(() => {
    if (client && running) client.contacts().then(setContacts, (e: unknown) => setError(errorText(e)));
  }, [client, running]);

  if (!client) return <PasteLink onToken={setToken} />;
  if (!state) return <main class="center">{error ? <p role="alert">{error}</p> : <p>Connecting to Parley…</p>}</main>;
  if (state.status === 'new' || onboarding) {
    return <Onboarding client={client} attestor={state.attestor} onDone={(s) => (setState(s), setOnboarding(false))} />;
  }
  if (state.status === 'locked') return <Unlock client={client} onDone={setState} />;
  if (state.status === 'starting')
    return (
      <main class="center">
        <p>Starting Parley…</p>
      </main>
    );

  const current = contacts.find((c) => c.id === open?.id) ?? null;
  return (
    <div class={`layout ${current ? 'has-open' : ''}`}>
      {!connected && (
        <div class="banner" role="status">
          Lost the connection to Parley; retrying…
        </div>
      )}
      <Sidebar
        client={client}
        me={state.me!}
        diskProtected={state.diskProtected}
        dhtTraffic={state.dhtTraffic}
        attestor={state.attestor}
        contacts={contacts}
        open={open?.id ?? null}
        onOpen={setOpen}
        onContacts={setContacts}
      />
      {current ? (
        <Conversation
          key={`${current.id} ${open?.focus ?? ''}`}
          client={client}
          contact={current}
          lastEvent={lastEvent}
          {...(open?.focus ? { focus: open.focus } : {})}
          onRead={() => setContacts((cs) => cs.map((c) => (c.id === current.id ? { ...c, unread: 0 } : c)))}
          onSent={(m) => setContacts((cs) => cs.map((c) => (c.id === m.contactId ? withMessage(c, m, false, true) : c)))}
          onBack={() => setOpen(null)}
          onGone={() => {
            setOpen(null);
            client.contacts().then(setContacts, () => {});
          }}
        />
      ) : (
        <main class="empty-pane">
          <p>Choose a conversation, or add a contact with their Parley ID.</p>
        </main>
      )}
    </div>
  );
}

/**
 * A tab opened without the link's key (a new tab, a bookmark): the page cannot talk to Parley yet.
 * Pasting the link `parley run` printed lets it in; the key goes to this tab's session storage only.
 */
function PasteLink({ onToken }: { onToken: (token: string) => void }) {
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const m = TOKEN.exec(link.trim().replace(/^[^#]*/, ''));
    if (!m) return setError('That is not the link Parley printed: it ends with #token= and 43 letters, digits, - or _.');
    sessionStorage.setItem('parley.token', m[1]!);
    onToken(m[1]!);
  };
  return (
    <main class="center">
      <form class="card" onSubmit={submit}>
        <h1>Parley</h1>
        <p>
          This tab does not have the key that lets it talk to your Parley. Paste the link that <code>parley run</code> (or <code>npm start</code>) printed; the
          key stays in this tab only.
        </p>
        <label>
          The link from <code>parley run</code>
          <input name="link" value={link} onInput={(e) => setLink(e.currentTarget.value)} spellcheck={false} autoComplete="off" autoFocus />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={!link.trim()}>
          Open Parley
        </button>
      </form>
    </main>
  );
}
