import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import type { ApiClient } from '../api/client.js';
import type { ApiEvent, Contact, Message, Safety } from '../api/schema.js';
import { MAX_MESSAGE_BYTES, utf8Length } from '../api/limits.js';
import { receiptCircumstances } from '../api/receipt-words.js';
import { Dialog } from './dialog.js';
import { FilesPanel } from './files.js';
import { errorText } from './errors.js';
import { ConversationSettings, DisappearingBadge, MessageActions, Quote, ReplyBar, TimerNotice } from './message-extras.js';
import { HOP_LABEL, PARTY_LABEL, ROUTE_LABEL, displayName, stateLabel, svgDataUrl, time, visibilityExplained } from './format.js';

interface Props {
  client: ApiClient;
  contact: Contact;
  lastEvent: ApiEvent | null;
  /** A message to show and highlight (a search hit) instead of the newest. */
  focus?: string;
  onRead: () => void;
  onSent: (m: Message) => void;
  onBack: () => void;
  onGone: () => void;
}

export function Conversation({ client, contact, lastEvent, focus, onRead, onSent, onBack, onGone }: Props) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [complete, setComplete] = useState(false); // the oldest message is loaded
  const loadingOlder = useRef(false);
  const [receipt, setReceipt] = useState<Message | null>(null);
  const [dialog, setDialog] = useState<'settings' | 'safety' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const name = displayName(contact);

  useEffect(() => {
    (async () => {
      // Pages back from the newest until the message to focus is loaded (a search hit far back).
      let ms = await client.messages(contact.id, { limit: PAGE });
      let done = ms.length < PAGE;
      while (focus && !done && !ms.some((m) => m.id === focus)) {
        const older = await client.messages(contact.id, { before: ms[0]!.seq, limit: PAGE });
        done = older.length < PAGE;
        ms = [...older, ...ms];
      }
      setMessages(ms);
      setComplete(done);
    })().catch((e: unknown) => setError(errorText(e)));
    client.markRead(contact.id).then(onRead, () => {});
  }, [contact.id]);

  useEffect(() => {
    if (lastEvent?.type === 'removed' && lastEvent.contactId === contact.id) {
      const gone = new Set(lastEvent.ids);
      setMessages((ms) => ms && ms.filter((m) => !gone.has(m.id)));
      setReplyTo((r) => (r && gone.has(r.id) ? null : r));
      return;
    }
    if (!lastEvent || (lastEvent.type !== 'message' && lastEvent.type !== 'delivery' && lastEvent.type !== 'updated')) return;
    const m = lastEvent.message;
    if (m.contactId !== contact.id) return;
    setMessages((ms) => {
      if (!ms) return ms;
      const i = ms.findIndex((x) => x.id === m.id);
      if (i >= 0) return ms.map((x) => (x.id === m.id ? m : x));
      return [...ms, m];
    });
    if (lastEvent.type === 'message' && document.visibilityState === 'visible') client.markRead(contact.id).then(onRead, () => {});
  }, [lastEvent]);

  // Coming back to the tab reads what arrived while it was hidden.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') client.markRead(contact.id).then(onRead, () => {});
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [contact.id]);

  /** Loads the page before the oldest message shown (scrolling up reaches all of history). */
  const loadOlder = async () => {
    if (complete || loadingOlder.current || !messages?.length) return;
    loadingOlder.current = true;
    try {
      const older = await client.messages(contact.id, { before: messages[0]!.seq, limit: PAGE });
      if (older.length < PAGE) setComplete(true);
      if (older.length) setMessages((ms) => (ms ? [...older, ...ms] : ms));
    } catch (e) {
      setError(errorText(e));
    } finally {
      loadingOlder.current = false;
    }
  };

  const send = async (text: string) => {
    try {
      const m = await client.send(contact.id, text, replyTo?.id);
      setReplyTo(null);
      setMessages((ms) => (ms && !ms.some((x) => x.id === m.id) ? [...ms, m] : ms));
      onSent(m);
      setError(null);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  return (
    <main class="conversation" aria-label={`Conversation with ${name}`}>
      <header class="conv-header">
        <button type="button" class="icon back" aria-label="Back to conversations" onClick={onBack}>
          ←
        </button>
        <div class="conv-title">
          <h1>{name}</h1>
          <Privacy contact={contact} />
        </div>
        <button type="button" onClick={() => setDialog('safety')}>
          Safety number
        </button>
        <button type="button" onClick={() => setDialog('settings')}>
          Settings
        </button>
      </header>
      {contact.keyPending ? (
        <div class="warning" role="alert">
          <p>
            {name} has a new security key. Until you accept it, their messages are held back (nothing is lost: they are sent again). Did {name} reinstall
            Parley? Ask them by another channel before you accept, then compare safety numbers.
          </p>
          <button type="button" onClick={() => void client.acceptNewKey(contact.id).catch((e: unknown) => setError(errorText(e)))}>
            Accept the new key
          </button>
        </div>
      ) : (
        contact.keyChanged && (
          <p class="warning" role="alert">
            {name}'s security key changed and is not verified yet: compare safety numbers before trusting this conversation.
          </p>
        )
      )}
      {messages === null ? (
        <p class="hint pad">Loading…</p>
      ) : (
        <MessageList
          messages={messages}
          name={name}
          client={client}
          onReply={setReplyTo}
          onError={setError}
          onReceipt={setReceipt}
          onNearTop={() => void loadOlder()}
          {...(focus ? { focus } : {})}
        />
      )}
      {error && (
        <p role="alert" class="error pad">
          {error}
        </p>
      )}
      {contact.state === 'blocked' ? (
        <p class="hint pad">You blocked {name}. Unblock them in Settings to write again.</p>
      ) : (
        <>
          {replyTo && <ReplyBar message={replyTo} onCancel={() => setReplyTo(null)} />}
          <FilesPanel contactId={contact.id} name={name} lastEvent={lastEvent} />
          <Composer onSend={send} name={name} />
        </>
      )}
      {receipt && <RouteReceiptDialog message={receipt} name={name} onClose={() => setReceipt(null)} />}
      {dialog === 'settings' && <Settings client={client} contact={contact} onClose={() => setDialog(null)} onGone={onGone} />}
      {dialog === 'safety' && <SafetyDialog client={client} contact={contact} onClose={() => setDialog(null)} />}
    </main>
  );
}

const PAGE = 500;

function Privacy({ contact }: { contact: Contact }) {
  const route = contact.route ? ROUTE_LABEL[contact.route] : contact.visibility === 'relayed' ? 'Relays (no message yet)' : 'Not used yet';
  return (
    <p class="privacy" aria-label="Privacy of this conversation">
      <span title="How the latest message travelled">Route: {route}</span>
      <span> · {contact.visibility === 'relayed' ? 'Your IP hidden from them' : 'They may see your IP'}</span>
      <span> · End-to-end encrypted (Signal protocol)</span>
      {contact.online && <span class="ok"> · Connected directly now</span>}
      <span class={contact.verified ? 'ok' : 'hint'}> · {contact.verified ? 'Safety number verified' : 'Safety number not verified'}</span>
      <DisappearingBadge contact={contact} />
    </p>
  );
}

interface ListProps {
  messages: Message[];
  name: string;
  client: ApiClient;
  onReply: (m: Message) => void;
  onError: (e: string) => void;
  onReceipt: (m: Message) => void;
  onNearTop: () => void;
  focus?: string;
}

/** The day a message belongs to, as a separator line says it. */
function dayOf(m: Message): string {
  const d = new Date(m.receivedAt ?? m.sentAt);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (d.toDateString() === today.toDateString()) return 'Today';
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

function MessageList({ messages, name, client, onReply, onError, onReceipt, onNearTop, focus }: ListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const [v] = useState(
    () =>
      new Virtualizer<HTMLDivElement, HTMLElement>({
        count: messages.length,
        getScrollElement: () => scroller.current,
        estimateSize: () => 72,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        overscan: 10,
        onChange: () => rerender(0),
      }),
  );
  v.setOptions({ ...v.options, count: messages.length, getItemKey: (i) => messages[i]?.id ?? i });
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => v._willUpdate());
  const atBottom = useRef(true);
  const first = useRef(true);
  const oldest = useRef<string | null>(null);
  const total = useRef(0);
  useLayoutEffect(() => {
    const el = scroller.current!;
    const head = messages[0]?.id ?? null;
    if (oldest.current !== null && head !== oldest.current) {
      // Older messages were put in front: keep the ones on screen where they were.
      el.scrollTop += v.getTotalSize() - total.current;
    } else if (first.current && focus && messages.some((m) => m.id === focus)) {
      v.scrollToIndex(
        messages.findIndex((m) => m.id === focus),
        { align: 'center' },
      );
      atBottom.current = false;
    } else if (messages.length && (first.current || atBottom.current || mineAtEnd(messages, total.current, v.getTotalSize()))) {
      v.scrollToIndex(messages.length - 1, { align: 'end' });
    }
    oldest.current = head;
    total.current = v.getTotalSize();
    first.current = false;
  }, [messages.length]);
  // A reply's quote shows its original: scrolled to and highlighted.
  const [jumped, setJumped] = useState<string | null>(null);
  const jump = (id: string) => {
    const i = messages.findIndex((m) => m.id === id);
    if (i < 0) return onError('The original message is no longer here (deleted, or disappeared).');
    v.scrollToIndex(i, { align: 'center' });
    atBottom.current = false;
    setJumped(id);
  };
  const onScroll = () => {
    const el = scroller.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    total.current = v.getTotalSize();
    if (el.scrollTop < 1500) onNearTop();
  };

  return (
    <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" tabIndex={0}>
      {messages.length === 0 && <p class="hint pad">No messages yet. Say hello: only {name} can read it.</p>}
      <div style={{ height: `${v.getTotalSize()}px`, position: 'relative', width: '100%' }}>
        {v.getVirtualItems().map((item) => {
          const m = messages[item.index]!;
          const prev = item.index > 0 ? messages[item.index - 1]! : null;
          const day = dayOf(m);
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={(el) => {
                if (el) v.measureElement(el);
              }}
              class={`msg-row ${m.direction}`}
              data-day={day}
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
            >
              {(!prev || dayOf(prev) !== day) && (
                <p class="day" role="separator" aria-label={day}>
                  <span>{day}</span>
                </p>
              )}
              {m.kind === 'timer' ? (
                <TimerNotice message={m} name={name} />
              ) : (
                <article
                  class={`bubble ${m.id === focus || m.id === jumped ? 'hit' : ''} ${m.kind}`}
                  aria-label={m.direction === 'out' ? 'Sent message' : `Message from ${name}`}
                  aria-current={m.id === focus || m.id === jumped ? 'true' : undefined}
                >
                  {m.replyTo && <Quote reply={m.replyTo} onJump={jump} />}
                  <p class="body" dir="auto">
                    {m.kind === 'deleted' ? (m.direction === 'out' ? 'You deleted this message' : 'This message was deleted') : m.body}
                  </p>
                  <footer>
                    <time>{time(m.receivedAt ?? m.sentAt)}</time>
                    {m.direction === 'out' && <span class={`state ${m.state}`}>{stateLabel(m)}</span>}
                    {m.route && (
                      <button
                        type="button"
                        class="route-badge"
                        onClick={() => onReceipt(m)}
                        aria-label={`Route: ${ROUTE_LABEL[m.route.route]}. Show the route receipt`}
                      >
                        {ROUTE_LABEL[m.route.route]}
                      </button>
                    )}
                    <MessageActions message={m} client={client} onReply={onReply} onError={onError} />
                  </footer>
                </article>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** What I just sent (the list grew at the end with a message of mine) is shown, wherever the list was scrolled. */
function mineAtEnd(messages: Message[], before: number, after: number): boolean {
  return after > before && messages[messages.length - 1]!.direction === 'out';
}

/** The counter appears when this much room is left. */
const COUNTER_FROM = 2000;

function Composer({ onSend, name }: { onSend: (text: string) => Promise<boolean>; name: string }) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  // Opening a conversation (from the list, after adding or accepting) puts the cursor here.
  useEffect(() => box.current?.focus(), []);
  const left = MAX_MESSAGE_BYTES - utf8Length(text.trim());
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    if (!t || left < 0) return;
    if (await onSend(t)) setText('');
  };
  return (
    <form class="composer" onSubmit={(e) => void submit(e)}>
      <label class="sr-only" for="composer">
        Message to {name}
      </label>
      <textarea
        id="composer"
        ref={box}
        rows={1}
        dir="auto"
        placeholder={`Message ${name}`}
        value={text}
        aria-describedby="composer-room"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) void submit(e);
        }}
      />
      <span id="composer-room" class={`counter ${left < 0 ? 'error' : ''}`} aria-live="polite">
        {left < 0 ? `Too long by ${-left}: shorten it or send it in two parts.` : left < COUNTER_FROM ? `${left} left` : ''}
      </span>
      <button type="submit" class="primary" disabled={!text.trim() || left < 0}>
        Send
      </button>
    </form>
  );
}

function RouteReceiptDialog({ message, name, onClose }: { message: Message; name: string; onClose: () => void }) {
  const r = message.route!;
  const theirIpSeenByMe = r.route === 'direct';
  return (
    <Dialog title="Route receipt" onClose={onClose}>
      <p>
        This message went <strong>{ROUTE_LABEL[r.route].toLowerCase()}</strong>
        {message.direction === 'out' ? ` to ${name}` : ` from ${name}`}, end-to-end encrypted: relays carry only bytes they cannot read.
      </p>
      <h3>Hops</h3>
      <ol class="hops">
        {r.hops.map((h, i) => (
          <li key={i}>{HOP_LABEL(h, name)}</li>
        ))}
      </ol>
      <h3>Who could see which address</h3>
      <ul class="sees" aria-label="Who could see which address">
        {r.sees.map((s, i) => (
          <li key={i}>
            <strong>{PARTY_LABEL(s.party, name)}</strong>:{' '}
            {s.ips.length === 0 ? 'no IP address' : s.ips.map((ip) => (ip === 'mine' ? 'your IP address' : `${name}'s IP address`)).join(' and ')}
          </li>
        ))}
        <li>
          <strong>You</strong>: {theirIpSeenByMe ? `${name}'s IP address` : `no IP address of ${name}`}
        </li>
      </ul>
      {r.reason && <p class="hint">Not device to device: {r.reason}.</p>}
      {receiptCircumstances(r, name).map((line, i) => (
        <p key={`c${i}`} class={line.startsWith('Warning:') ? 'warning' : 'hint'}>
          {line}
        </p>
      ))}
      {r.sameRelay && <p class="warning">You both use the same relay, so that relay could see both IP addresses (it still cannot read anything).</p>}
      {r.senderReported && (
        <p class="hint">
          Your half of the way is what your device saw; {name}'s half is what {name}'s device stated inside the encrypted message (no one else could have
          written it).
        </p>
      )}
    </Dialog>
  );
}

function Settings({ client, contact, onClose, onGone }: { client: ApiClient; contact: Contact; onClose: () => void; onGone: () => void }) {
  const name = displayName(contact);
  const [newName, setNewName] = useState(contact.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>) =>
    p.then(
      () => setError(null),
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <Dialog title={`Settings for ${name}`} onClose={onClose}>
      <fieldset>
        <legend>Let {name} see my IP address</legend>
        {(['relayed', 'direct'] as const).map((v) => (
          <label class="choice" key={v}>
            <input
              type="radio"
              name="visibility"
              value={v}
              checked={contact.visibility === v}
              onChange={() => void act(client.patchContact(contact.id, { visibility: v }))}
            />
            <span>
              <strong>{v === 'relayed' ? 'No: go through relays' : 'Yes: allow direct'}</strong>
              <br />
              <span class="hint">{visibilityExplained(v, name)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <form class="row" onSubmit={(e) => (e.preventDefault(), newName.trim() && void act(client.patchContact(contact.id, { name: newName.trim() })))}>
        <label class="grow">
          Name
          <input name="rename" value={newName} maxLength={64} onInput={(e) => setNewName(e.currentTarget.value)} />
        </label>
        <button type="submit">Rename</button>
      </form>
      <ConversationSettings client={client} contact={contact} name={name} />
      <p class="mono hint">{contact.id}</p>
      {contact.state === 'blocked' ? (
        <button type="button" onClick={() => void act(client.unblock(contact.id))}>
          Unblock {name}
        </button>
      ) : (
        <button type="button" class="danger" onClick={() => void act(client.block(contact.id)).then(onGone)}>
          Block {name}
        </button>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </Dialog>
  );
}

function SafetyDialog({ client, contact, onClose }: { client: ApiClient; contact: Contact; onClose: () => void }) {
  const name = displayName(contact);
  const [safety, setSafety] = useState<Safety | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => client.safety(contact.id).then(setSafety, (e: unknown) => setError(errorText(e)));
  useEffect(() => void load(), []);
  const mark = (verified: boolean) => client.verify(contact.id, verified).then(load, (e: unknown) => setError(errorText(e)));
  return (
    <Dialog title={`Safety number with ${name}`} onClose={onClose}>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {safety && (
        <>
          {safety.keyChanged && (
            <p class="warning" role="alert">
              {name}'s key changed since you last checked. Compare the number again before trusting this conversation.
            </p>
          )}
          <p>
            Compare this number with the one on {name}'s device, in person or on a call you trust, or scan their code. If they match, nobody is in the middle.
          </p>
          <p class="safety-number mono" aria-label="Safety number">
            {safety.number.split(' ').map((g, i) => (
              <span key={i}>
                {g}
                {i < 11 ? ' ' : ''}
              </span>
            ))}
          </p>
          <img class="qr" src={svgDataUrl(safety.qrSvg)} alt="QR code of the safety number" width={200} height={200} />
          <p role="status">{safety.verified ? <span class="ok">✓ Verified</span> : 'Not verified yet.'}</p>
          {safety.verified ? (
            <button type="button" onClick={() => void mark(false)}>
              Clear verification
            </button>
          ) : (
            <button type="button" class="primary" onClick={() => void mark(true)}>
              Mark as verified
            </button>
          )}
        </>
      )}
    </Dialog>
  );
}
