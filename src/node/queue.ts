import { parseId, randomBytes } from '../identity/index.js';
import { MAX_TEXT_BYTES } from '../wire/limits.js';
import {
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
 * The outbox-first write shared by the running node and commands that hand work to it. A reply
 * (`replyTo`) carries a short quote of the message it answers; in a conversation with a
 * disappearing timer the message is deleted that long after it was written.
 */
export function queueMessage(db: Db, selfId: string, to: string, text: string, now: number, opts: { replyTo?: string | undefined } = {}): MessageRow {
  const id = parseId(to);
  if (id === selfId) throw NodeError.SELF();
  if (text.length === 0) throw NodeError.EMPTY_TEXT();
  if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw NodeError.TEXT_TOO_LONG(MAX_TEXT_BYTES);
  const contact = getContact(db, id);
  if (!contact) throw NodeError.UNKNOWN_CONTACT();
  if (contact.state === 'blocked') throw NodeError.BLOCKED();
  const reply = opts.replyTo !== undefined ? quoteOf(db, id, opts.replyTo) : null;
  const messageId = randomBytes(16).toString('hex');
  writeTx(db, () => {
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
  return getMessage(db, messageId)!;
}
