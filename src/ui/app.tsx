import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from '../api/client.js';
import { errorText } from './errors.js';
import type { ApiEvent, Contact, State } from '../api/schema.js';
import { Onboarding, Unlock } from './onboarding.js';
import { Sidebar } from './sidebar.js';
import { Conversation } from './conversation.js';

/** The token comes once in the URL fragment, then lives in this tab's session storage only. */
function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{43})/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('parley.token', m[1]!);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('parley.token');
}

export function App() {
  const token = useMemo(takeToken, []);
  const client = useMemo(() => (token ? new ApiClient('', token) : null), [token]);
  const [state, setState] = useState<State | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [open, setOpen] = useState<string | null>(null);
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
    const events = client.events(
      (e) => {
        if (e.type === 'state') setState(e.state);
        if (e.type === 'contact') setContacts((cs) => (cs.some((c) => c.id === e.contact.id) ? cs.map((c) => (c.id === e.contact.id ? e.contact : c)) : [...cs, e.contact]));
        if (e.type === 'presence') setContacts((cs) => cs.map((c) => (c.id === e.contactId ? { ...c, online: e.online } : c)));
        if (e.type === 'route') setContacts((cs) => cs.map((c) => (c.id === e.contactId ? { ...c, route: e.route } : c)));
        setLastEvent(e);
      },
      setConnected,
    );
    return () => events.close();
  }, [client]);

  const running = state?.status === 'running';
  useEffect(() => {
    if (client && running) client.contacts().then(setContacts, (e: unknown) => setError(errorText(e)));
  }, [client, running]);

  if (!client) {
    return (
      <main class="center">
        <div class="card">
          <h1>Parley</h1>
          <p>Open the address that <code>parley run</code> (or <code>npm start</code>) printed: it carries the key that lets this page talk to your Parley.</p>
        </div>
      </main>
    );
  }
  if (!state) return <main class="center">{error ? <p role="alert">{error}</p> : <p>Connecting to Parley…</p>}</main>;
  if (state.status === 'new' || onboarding) {
    return <Onboarding client={client} attestor={state.attestor} onDone={(s) => (setState(s), setOnboarding(false))} />;
  }
  if (state.status === 'locked') return <Unlock client={client} onDone={setState} />;
  if (state.status === 'starting') return <main class="center"><p>Starting Parley…</p></main>;

  const current = contacts.find((c) => c.id === open) ?? null;
  return (
    <div class={`layout ${current ? 'has-open' : ''}`}>
      {!connected && <div class="banner" role="status">Lost the connection to Parley; retrying…</div>}
      <Sidebar client={client} me={state.me!} diskProtected={state.diskProtected} attestor={state.attestor} contacts={contacts} open={open} onOpen={setOpen} onContacts={setContacts} />
      {current ? (
        <Conversation key={current.id} client={client} contact={current} lastEvent={lastEvent} onBack={() => setOpen(null)} onGone={() => { setOpen(null); client.contacts().then(setContacts, () => {}); }} />
      ) : (
        <main class="empty-pane"><p>Choose a conversation, or add a contact with their Parley ID.</p></main>
      )}
    </div>
  );
}
