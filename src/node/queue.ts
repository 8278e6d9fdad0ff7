import { parseId, randomBytes } from '../identity/index.js';
import { MAX_TEXT_BYTES } from '../wire/limits.js';
import {
  relaxedTx,
  setKv,
  writeTx,
  getContact,
  upsertContact,
  insertMessage,
  enqueue,
  takeOutSeq,
  getMessage,
  disappearSeconds,
  type Db,
  type MessageRow,
} from '../store/index.js';
import { NodeError } from './errors.js';
import { quoteOf } from './messages-ops.js';

/**
 * Outbox rows committed without their own fsync (`sync: 'with-send'`), counted per database, and
 * how many of them a later fsync'd commit is known to cover. In WAL mode one fsync of the log makes
 * every earlier commit durable, so the row rides on the fsync of the message's own encryption.
 */
const unsynced = new WeakMap<Db, { queued: number; synced: number }>();

const counts = (db: Db) => unsynced.get(db) ?? unsynced.set(db, { queued: 0, synced: 0 }).get(db)!;

/** A mark to pass to `coveredUpTo` once an fsync'd commit made after this call has happened. */
export function unsyncedMark(db: Db): number {
  return counts(db).queued;
}

/** Outbox rows written before `mark` are durable: an fsync'd commit came after them. */
export function coveredUpTo(db: Db, mark: number): void {
  const c = counts(db);
  c.synced = Math.max(c.synced, mark);
}

/** Whether some outbox row still waits for an fsync. */
export function hasUnsynced(db: Db): boolean {
  const c = counts(db);
  return c.queued > c.synced;
}

/** Makes every outbox row written so far durable now: one small fsync'd commit (the off-path case). */
export function syncOutbox(db: Db): void {
  const mark = unsyncedMark(db);
  if (!hasUnsynced(db)) return;
  writeTx(db, () => setKv(db, 'outbox.synced', String(mark)));
  coveredUpTo(db, mark);
}

/**
 * The outbox-first write shared by the running node and commands that hand work to it. A reply
 * (`replyTo`) carries a short quote of the message it answers; in a conversation with a
 * disappearing timer the message is deleted that long after it was written.
 *
 * `sync: 'now'` (the default) fsyncs the row in its own commit. `'with-send'`, for a running
 * node's Delivery only: the row is committed at once (a crash or kill of the process keeps it) and
 * made power-loss durable by the fsync of its encryption, which Delivery commits before any byte of
 * it leaves; an attempt that encrypts nothing fsyncs the outbox itself (see delivery.ts). One fsync
 * per message on the sender instead of two (issue 14).
 */
export function queueMessage(
  db: Db,
  selfId: string,
  to: string,
  text: string,
  now: number,
  opts: { replyTo?: string | undefined; sync?: 'now' | 'with-send' } = {},
): MessageRow {
  const id = parseId(to);
  if (id === selfId) throw NodeError.SELF();
  if (text.length === 0) throw NodeError.EMPTY_TEXT();
  if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw NodeError.TEXT_TOO_LONG(MAX_TEXT_BYTES);
  const contact = getContact(db, id);
  if (!contact) throw NodeError.UNKNOWN_CONTACT();
  if (contact.state === 'blocked') throw NodeError.BLOCKED();
  const reply = opts.replyTo !== undefined ? quoteOf(db, id, opts.replyTo) : null;
  const messageId = randomBytes(16).toString('hex');
  const tx = opts.sync === 'with-send' ? relaxedTx : writeTx;
  tx(db, () => {
    const ttl = disappearSeconds(db, id);
    if (contact.state === 'request') upsertContact(db, id, 'added', now);
    insertMessage(db, {
      id: messageId,
      contactId: id,
      direction: 'out',
      convSeq: takeOutSeq(db, id),
      body: text,
      sentAt: now,
      receivedAt: null,
      state: 'queued',
      route: null,
      replyTo: reply?.id ?? null,
      quote: reply?.quote ?? null,
      ttl: ttl || null,
      expiresAt: ttl ? now + ttl * 1000 : null,
    });
    enqueue(db, messageId, now);
  });
  if (opts.sync === 'with-send') counts(db).queued++;
  return getMessage(db, messageId)!;
}
