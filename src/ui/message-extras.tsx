import { useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Contact, Message } from '../api/schema.js';
import { Dialog } from './dialog.js';
import { errorText } from './errors.js';

/*
 * What everyday messaging adds to a conversation: disappearing timers, replies (quote and reply
 * bar), deleting a message or the whole conversation, and the outbox's cancel and retry.
 */

/** The timers a conversation may have, in seconds, as the UI names them. */
export const TIMERS: Array<[number, string]> = [
  [0, 'Off'],
  [300, '5 minutes'],
  [3600, '1 hour'],
  [86_400, '1 day'],
  [604_800, '1 week'],
];

export const timerName = (seconds: number) => TIMERS.find(([s]) => s === seconds)?.[1].toLowerCase() ?? `${seconds} seconds`;

/** "Alice set disappearing messages to 1 hour", centred in the conversation. */
export function TimerNotice({ message, name }: { message: Message; name: string }) {
  const who = message.direction === 'out' ? 'You' : name;
  const what = message.timer ? `set disappearing messages to ${timerName(message.timer)}` : 'turned off disappearing messages';
  return (
    <p class="notice" role="status">
      {who} {what}
    </p>
  );
}

/** The quote of the message a reply answers; a click shows the original. */
export function Quote({ reply, onJump }: { reply: NonNullable<Message['replyTo']>; onJump: (id: string) => void }) {
  return (
    <button
      type="button"
      class="quote"
      dir="auto"
      aria-label={`Reply to: ${reply.quote ?? 'a deleted message'}. Show the original`}
      onClick={() => onJump(reply.id)}
    >
      {reply.quote ?? 'A deleted message'}
    </button>
  );
}

/** Reply and delete, under a message; cancel and retry for one that waits in the outbox. */
export function MessageActions({
  message,
  client,
  onReply,
  onError,
}: {
  message: Message;
  client: ApiClient;
  onReply: (m: Message) => void;
  onError: (e: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const act = (p: Promise<unknown>) =>
    p.then(
      () => setAsking(false),
      (e: unknown) => onError(errorText(e)),
    );
  const waiting = message.direction === 'out' && (message.state === 'waiting' || message.state === 'sent') && message.kind === 'text';
  return (
    <span class="actions">
      {message.kind === 'text' && (
        <button type="button" class="link" onClick={() => onReply(message)}>
          Reply
        </button>
      )}
      {waiting && (
        <>
          <button type="button" class="link" onClick={() => void act(client.retryOutbox(message.id))}>
            Retry now
          </button>
          <button type="button" class="link" onClick={() => void act(client.cancelOutbox(message.id))}>
            Cancel sending
          </button>
        </>
      )}
      <button type="button" class="link" onClick={() => setAsking(true)}>
        Delete
      </button>
      {asking && (
        <Dialog title="Delete this message?" onClose={() => setAsking(false)}>
          <p>“Delete for me” removes it from this device only. “Delete for everyone” also asks the other side’s Parley to delete it.</p>
          <div class="row">
            <button type="button" onClick={() => void act(client.deleteMessage(message.id, false))}>
              Delete for me
            </button>
            {message.direction === 'out' && message.kind === 'text' && (
              <button type="button" class="danger" onClick={() => void act(client.deleteMessage(message.id, true))}>
                Delete for everyone
              </button>
            )}
          </div>
        </Dialog>
      )}
    </span>
  );
}

/** Above the composer while writing a reply. */
export function ReplyBar({ message, onCancel }: { message: Message; onCancel: () => void }) {
  return (
    <div class="reply-bar" role="status">
      <span dir="auto">
        Replying to: <q>{message.body.slice(0, 140)}</q>
      </span>
      <button type="button" class="icon" aria-label="Cancel the reply" onClick={onCancel}>
        ✕
      </button>
    </div>
  );
}

/** "Messages disappear after 1 hour", in the conversation header. */
export function DisappearingBadge({ contact }: { contact: Contact }) {
  if (!contact.disappearing) return null;
  return <span class="disappearing"> · Messages disappear after {timerName(contact.disappearing)}</span>;
}

/** In the contact's settings: the conversation's timer (both sides get it), and deleting the whole conversation here. */
export function ConversationSettings({ client, contact, name }: { client: ApiClient; contact: Contact; name: string }) {
  const [error, setError] = useState<string | null>(null);
  const [cleared, setCleared] = useState(false);
  const act = (p: Promise<unknown>, then?: () => void) =>
    p.then(
      () => (setError(null), then?.()),
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <>
      <label>
        Disappearing messages
        <select
          value={String(contact.disappearing)}
          onChange={(e) => void act(client.setDisappearing(contact.id, Number(e.currentTarget.value)))}
          aria-describedby="disappearing-hint"
        >
          {TIMERS.map(([s, label]) => (
            <option key={s} value={String(s)}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <p id="disappearing-hint" class="hint">
        For you and {name}: new messages are deleted from both devices this long after they were sent or arrived.
      </p>
      <button type="button" class="danger" onClick={() => void act(client.clearConversation(contact.id), () => setCleared(true))}>
        Delete this conversation on this device
      </button>
      {cleared && <p role="status">The conversation was deleted on this device.</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </>
  );
}
