import { parseId, randomBytes } from '../identity/index.js';
import type { Content } from '../wire/content.js';
import { DISAPPEAR_SECONDS, MAX_OFFERED_NAME_CHARS, MAX_QUOTE_CHARS, type DisappearSeconds } from '../wire/content-messaging.js';
import {
  clearConversation,
  deleteMessages,
  enqueue,
  getContact,
  getKv,
  getMessage,
  insertMessage,
  lastArrivedSeq,
  listOutbox,
  previousOutSeq,
  requeue,
  retryNow,
  scrub,
  setDisappear,
  takeOutSeq,
  tombstone,
  writeTx,
  type Db,
  type MessageRow,
  type OutboxItem,
  type Removed,
} from '../store/index.js';
import { NodeError } from './errors.js';
import { KV } from './kv-keys.js';

/*
 * Replies, deletes, disappearing timers and the outbox's cancel and retry: the writes, shared by
 * the running node and commands that run none (a running node is then told to look at the outbox).
 */

export interface MessageOpsComponents {
  db: Db;
  now: () => number;
  /** The outbox changed: deliver. */
  kick: () => void;
  onRemoved: (removed: Removed[]) => void;
  onUpdated: (m: MessageRow) => void;
  /** A conversation was cleared: its files go too (files-remove.ts). */
  onCleared?: (contactId: string) => void;
}

export class MessageOps {
  readonly #c: MessageOpsComponents;

  constructor(components: MessageOpsComponents) {
    this.#c = components;
  }

  /**
   * Sets the conversation's disappearing timer, for both sides: the change goes to the contact in
   * conversation order (they apply it and show it) and stands here as an entry of the conversation.
   */
  setDisappearing(contactId: string, seconds: number): MessageRow {
    const { db } = this.#c;
    const id = parseId(contactId);
    if (!(DISAPPEAR_SECONDS as readonly number[]).includes(seconds)) throw NodeError.BAD_TIMER();
    const contact = getContact(db, id);
    if (!contact) throw NodeError.UNKNOWN_CONTACT();
    if (contact.state === 'blocked') throw NodeError.BLOCKED();
    const now = this.#c.now();
    const messageId = randomBytes(16).toString('hex');
    writeTx(db, () => {
      insertMessage(db, {
        id: messageId,
        contactId: id,
        direction: 'out',
        convSeq: takeOutSeq(db, id),
        body: '',
        sentAt: now,
        receivedAt: null,
        state: 'queued',
        route: null,
        kind: 'timer',
        ttl: seconds,
      });
      setDisappear(db, id, seconds, now);
      enqueue(db, messageId, now);
    });
    this.#c.kick();
    return getMessage(db, messageId)!;
  }

  /**
   * Deletes a message. For me: gone from this device (a message still waiting is not sent). For
   * everyone: only a message I sent; its words are gone here at once, and the contact is asked (in
   * conversation order, until their receipt) to delete it too.
   */
  delete(messageId: string, everyone: boolean): MessageRow | null {
    const { db } = this.#c;
    const row = getMessage(db, messageId);
    if (!row) throw NodeError.NO_SUCH_MESSAGE();
    if (!everyone) {
      this.#removed(writeTx(db, () => deleteMessages(db, [messageId])));
      return null;
    }
    if (row.direction !== 'out' || row.kind !== 'text') throw NodeError.NOT_YOUR_MESSAGE();
    writeTx(db, () => {
      tombstone(db, messageId);
      requeue(db, messageId, this.#c.now());
    });
    scrub(db);
    const gone = getMessage(db, messageId)!;
    this.#c.onUpdated(gone);
    this.#c.kick();
    return gone;
  }

  /** Deletes every message and file of one conversation from this device (the contact stays). */
  clearConversation(contactId: string): string[] {
    const { db } = this.#c;
    const id = parseId(contactId);
    if (!getContact(db, id)) throw NodeError.UNKNOWN_CONTACT();
    const ids = writeTx(db, () => clearConversation(db, id));
    this.#c.onCleared?.(id);
    this.#removed(ids.map((m) => ({ id: m, contact_id: id })));
    return ids;
  }

  /** Stops sending a message that waits in the outbox, and deletes it (if it already reached them, they keep it). */
  cancel(messageId: string): void {
    const { db } = this.#c;
    if (!listOutbox(db).some((o) => o.message_id === messageId)) throw NodeError.NOT_WAITING();
    this.#removed(writeTx(db, () => deleteMessages(db, [messageId])));
  }

  /** Tries a waiting message again now, instead of at its next scheduled attempt. */
  retry(messageId: string): void {
    if (!retryNow(this.#c.db, messageId, this.#c.now())) throw NodeError.NOT_WAITING();
    this.#c.kick();
  }

  #removed(removed: Removed[]): void {
    scrub(this.#c.db);
    if (removed.length) this.#c.onRemoved(removed);
  }
}

/** The message a reply answers (in the same conversation, with words left) and a short quote of it. */
export function quoteOf(db: Db, contactId: string, messageId: string): { id: string; quote: string } {
  const row = getMessage(db, messageId);
  if (!row || row.contact_id !== contactId || row.kind !== 'text') throw NodeError.NO_SUCH_MESSAGE();
  return { id: row.id, quote: shorten(row.body, MAX_QUOTE_CHARS) };
}

/** What an outbox entry sends: the text (with its reply, timer and, to someone who never answered, my name), a timer change, or a delete. */
export function contentFor(db: Db, item: OutboxItem): Content {
  const n = item.conv_seq;
  const prev = previousOutSeq(db, item.contact_id, n);
  const gap = prev !== n - 1 ? { prev } : {};
  if (item.kind === 'timer') return { v: 1, t: 'timer', id: item.message_id, n, ...gap, at: item.sent_at, seconds: (item.ttl ?? 0) as DisappearSeconds };
  if (item.kind === 'deleted') return { v: 1, t: 'delete', id: item.message_id, n, ...gap };
  const name = lastArrivedSeq(db, item.contact_id) === 0 ? getKv(db, KV.profileName) : undefined;
  return {
    v: 1,
    t: 'text',
    id: item.message_id,
    n,
    body: item.body,
    at: item.sent_at,
    ...gap,
    ...(item.reply_to && item.quote !== null ? { reply: { id: item.reply_to, quote: item.quote } } : {}),
    ...(item.ttl ? { ttl: item.ttl as DisappearSeconds } : {}),
    ...(name ? { name } : {}),
  };
}

/** A name a stranger offered, as it may be shown: no control or direction characters, trimmed, at most 64 characters. */
export function offeredName(name: string): string | null {
  const clean = shorten(name.replace(/[\p{Cc}\p{Cf}]/gu, '').trim(), MAX_OFFERED_NAME_CHARS);
  return clean || null;
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}
