import { RequestItem } from './request.js';
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Contact, Me, SearchHit, State } from '../api/schema.js';
import { Dialog } from './dialog.js';
import { errorText } from './errors.js';
import { FindFriends, FindableBy } from './signup.js';
import { NetworkPanel } from './network.js';
import { ROUTE_LABEL, displayName, snippetParts, svgDataUrl, time } from './format.js';
import { notifyChoice, setNotifyChoice, type NotifyChoice } from './attention.js';

interface Props {
  client: ApiClient;
  me: Me;
  /** False: no passphrase, the database is in clear on disk, and the sidebar says so. */
  diskProtected: boolean;
  /** Where DHT lookups and publishing leave from (issue 13 §8). */
  dhtTraffic: State['dhtTraffic'];
  attestor: string | null;
  contacts: Contact[];
  open: string | null;
  /** Opens a conversation, at one message when `focus` names it (a search hit). */
  onOpen: (id: string, focus?: string) => void;
  onContacts: (cs: Contact[]) => void;
}

export function Sidebar({ client, me, diskProtected, dhtTraffic, attestor, contacts, open, onOpen, onContacts }: Props) {
  const [showMe, setShowMe] = useState(false);
  const [finding, setFinding] = useState(false);
  const [adding, setAdding] = useState(false);
  const [network, setNetwork] = useState(false);
  const [query, setQuery] = useState('');
  const requests = contacts.filter((c) => c.state === 'request');
  const people = contacts.filter((c) => c.state !== 'request');
  const refresh = () => client.contacts().then(onContacts, () => {});

  return (
    <nav class="sidebar" aria-label="Conversations">
      {!diskProtected && (
        <p class="disk-warning" role="note">
          The disk is not protected: without a passphrase, your messages, contacts and keys are stored in clear on this computer. Set one with{' '}
          <code>parley passphrase</code>.
        </p>
      )}
      {dhtTraffic && (
        <p class={dhtTraffic.private ? 'dht-route' : 'dht-route disk-warning'} role="note">
          {dhtTraffic.sentence}
        </p>
      )}
      <header class="me">
        <div>
          <strong>{me.name || 'You'}</strong>
          <span class="hint mono">{me.id.slice(0, 12)}…</span>
        </div>
        <button type="button" onClick={() => setShowMe(true)}>
          My ID
        </button>
        <button type="button" class="primary" onClick={() => setAdding(true)}>
          Add contact
        </button>
        <button type="button" onClick={() => setFinding(true)}>
          Find friends
        </button>
        <button type="button" onClick={() => setNetwork(true)}>
          Network
        </button>
      </header>
      <label class="search">
        <span class="sr-only">Search messages</span>
        <input type="search" placeholder="Search messages" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      {query.trim() ? (
        <SearchResults client={client} query={query} contacts={contacts} onOpen={(id, focus) => (setQuery(''), onOpen(id, focus))} />
      ) : (
        <>
          {requests.length > 0 && (
            <section aria-label="Contact requests">
              <h2 class="section">Contact requests</h2>
              <ul class="list">
                {requests.map((c) => (
                  <RequestItem key={c.id} client={client} contact={c} onDone={() => void refresh()} onOpen={onOpen} />
                ))}
              </ul>
            </section>
          )}
          <ul class="list" aria-label="Contacts">
            {people.length === 0 && <li class="hint pad">No contacts yet. Share your ID, or add someone's.</li>}
            {people.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  class={`contact ${open === c.id ? 'active' : ''}`}
                  aria-current={open === c.id}
                  aria-label={`${displayName(c)}${c.unread > 0 ? `, ${c.unread} unread` : ''}${c.state === 'blocked' ? ', blocked' : ''}${c.keyChanged ? ', key changed' : ''}`}
                  onClick={() => onOpen(c.id)}
                >
                  <span class="contact-top">
                    <strong>{displayName(c)}</strong>
                    {c.state === 'blocked' && <span class="tag">blocked</span>}
                    {c.keyChanged && (
                      <span class="tag warn" title="Their key changed">
                        key changed
                      </span>
                    )}
                    {c.unread > 0 && (
                      <span class="badge" aria-label={`${c.unread} unread`}>
                        {c.unread}
                      </span>
                    )}
                  </span>
                  <span class="contact-bottom">
                    <span class="preview" dir="auto">
                      {c.last ? (c.last.direction === 'out' ? 'You: ' : '') + c.last.body : 'No messages yet'}
                    </span>
                    {c.route && <span class="route-mini">{ROUTE_LABEL[c.route]}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {showMe && <MyId client={client} me={me} attestor={attestor} onClose={() => setShowMe(false)} />}
      {finding && <FindFriends client={client} onClose={() => setFinding(false)} onAdded={() => void refresh()} />}
      {network && <NetworkPanel client={client} onClose={() => setNetwork(false)} />}
      {adding && <AddContact client={client} onClose={() => setAdding(false)} onAdded={(c) => (setAdding(false), refresh(), onOpen(c.id))} />}
    </nav>
  );
}

function SearchResults({
  client,
  query,
  contacts,
  onOpen,
}: {
  client: ApiClient;
  query: string;
  contacts: Contact[];
  onOpen: (id: string, focus: string) => void;
}) {
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(
      () =>
        client.search(query).then(
          (h) => live && setHits(h),
          () => live && setHits([]),
        ),
      120,
    );
    return () => ((live = false), clearTimeout(t));
  }, [query]);
  const names = new Map(contacts.map((c) => [c.id, displayName(c)]));
  if (!hits) return <p class="hint pad">Searching…</p>;
  if (hits.length === 0) return <p class="hint pad">No messages match.</p>;
  return (
    <ul class="list" aria-label="Search results">
      {hits.map((h) => (
        <li key={h.id}>
          <button type="button" class="contact" onClick={() => onOpen(h.contactId, h.id)}>
            <span class="contact-top">
              <strong>{names.get(h.contactId) ?? h.contactId.slice(0, 8)}</strong>
              <span class="hint">
                {h.direction === 'out' ? 'you wrote' : `${names.get(h.contactId) ?? 'they'} wrote`} · {time(h.sentAt)}
              </span>
            </span>
            <span class="preview" dir="auto">
              {snippetParts(h.snippet).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function MyId({ client, me, attestor, onClose }: { client: ApiClient; me: Me; attestor: string | null; onClose: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied('select the text and copy it by hand');
    }
  };
  return (
    <Dialog title="Your Parley ID" onClose={onClose}>
      <p>Give this ID to people you want to talk to. It holds your public key and nothing personal.</p>
      <p class="mono id-text" aria-label="Your ID">
        {me.id}
      </p>
      <div class="row">
        <button type="button" onClick={() => void copy('ID', me.id)}>
          Copy ID
        </button>
        <button type="button" onClick={() => void copy('link', me.link)}>
          Copy link
        </button>
      </div>
      {copied && (
        <p role="status" class="hint">
          Copied {copied}.
        </p>
      )}
      <p>
        Link:{' '}
        <a class="mono" href={me.link}>
          {me.link.slice(0, 24)}…
        </a>
      </p>
      <img class="qr" src={svgDataUrl(me.qrSvg)} alt="QR code of your parley: link" width={220} height={220} />
      <FindableBy client={client} attestor={attestor} />
      <StrangersChoice client={client} me={me} />
      <Notifications />
    </Dialog>
  );
}

/** "Reachable directly by strangers": off by default, and what turning it on gives away is said before. */
function StrangersChoice({ client, me }: { client: ApiClient; me: Me }) {
  const [on, setOn] = useState(me.reachableByStrangers);
  const [error, setError] = useState<string | null>(null);
  const choose = async (next: boolean) => {
    setOn(next); // the box shows the click at once; the node's answer settles it
    try {
      setOn((await client.setReachableByStrangers(next)).reachableByStrangers);
      setError(null);
    } catch (err) {
      setOn(!next);
      setError(errorText(err));
    }
  };
  return (
    <fieldset class="strangers">
      <legend>Strangers</legend>
      <label>
        <input type="checkbox" name="strangers" checked={on} onChange={(e) => void choose(e.currentTarget.checked)} />
        Reachable directly by strangers
      </label>
      <p class="hint" role={on ? 'alert' : undefined}>
        {on
          ? 'On: your public record names your IP address, so anyone who knows your ID can learn where you are and connect to this device.'
          : 'Off: your IP address is in no public record. Strangers reach you only through your relay; contacts you set to direct still connect directly.'}
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function AddContact({ client, onClose, onAdded }: { client: ApiClient; onClose: () => void; onAdded: (c: Contact) => void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      onAdded(await client.addContact({ id: id.trim(), ...(name.trim() ? { name: name.trim() } : {}) }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Dialog title="Add a contact" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Their Parley ID or parley: link
          <input name="contact-id" required value={id} onInput={(e) => setId(e.currentTarget.value)} autoFocus spellcheck={false} autoComplete="off" />
        </label>
        <label>
          Name <span class="hint">(optional, only for you)</span>
          <input name="contact-name" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={!id.trim()}>
          Add
        </button>
      </form>
    </Dialog>
  );
}

/** Desktop notifications: off unless chosen; by default they say only "New message". */
function Notifications() {
  const [choice, setChoice] = useState<NotifyChoice>(notifyChoice);
  const [note, setNote] = useState<string | null>(null);
  const choose = async (c: NotifyChoice) => {
    const got = await setNotifyChoice(c);
    setChoice(got);
    setNote(got !== c ? 'The browser did not allow notifications for this page.' : null);
  };
  const options: Array<[NotifyChoice, string]> = [
    ['off', 'Off'],
    ['hidden', 'On, saying only "New message"'],
    ['sender', "On, with the sender's name (anyone who sees your screen sees who wrote)"],
  ];
  return (
    <fieldset>
      <legend>Desktop notifications</legend>
      {options.map(([value, label]) => (
        <label class="choice" key={value}>
          <input type="radio" name="notify" value={value} checked={choice === value} onChange={() => void choose(value)} />
          <span>{label}</span>
        </label>
      ))}
      {note && (
        <p role="status" class="hint">
          {note}
        </p>
      )}
    </fieldset>
  );
}
