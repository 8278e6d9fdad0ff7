import { parseId, randomBytes } from '../identity/index.js';
import { MAX_TEXT_BYTES } from '../wire/limits.js';
import { writeTx, getContact, upsertContact, insertMessage, enqueue, takeOutSeq, getMessage, type Db, type MessageRow } from '../store/index.js';
import { NodeError } from './errors.js';

/** The outbox-first write shared by the running node and commands that hand work to it. */
export function queueMessage(db: Db, selfId: string, to: string, text: string, now: number): MessageRow {
  const id = parseId(to);
  if (id === selfId) throw NodeError.SELF();
  if (text.length === 0) throw NodeError.EMPTY_TEXT();
  if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw NodeError.TEXT_TOO_LONG(MAX_TEXT_BYTES);
  const contact = getContact(db, id);
  if (!contact) throw NodeError.UNKNOWN_CONTACT();
  if (contact.state === 'blocked') throw NodeError.BLOCKED();
  const messageId = randomBytes(16).toString('hex');
  writeTx(db, () => {
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
    });
    enqueue(db, messageId, now);
  });
  return getMessage(db, messageId)!;
}
