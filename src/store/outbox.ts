import { stmt, type Db } from './db.js';
import type { MessageKind } from './messages.js';

export interface OutboxItem {
  message_id: string;
  contact_id: string;
  conv_seq: number;
  body: string;
  sent_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  /** What the entry is (a text, a timer change, a delete for everyone), and a text's reply and timer. */
  kind: MessageKind;
  reply_to: string | null;
  quote: string | null;
  ttl: number | null;
}

/** Puts a stored outgoing message in the outbox, with its contact and order (so the delivery loop reads the outbox alone). */
export function enqueue(db: Db, messageId: string, now: number): void {
  const r = stmt(db, 'INSERT INTO outbox (message_id, contact_id, seq, next_attempt_at) SELECT id, contact_id, seq, ? FROM messages WHERE id = ?').run(
    now,
    messageId,
  );
  if (r.changes !== 1) throw new Error('enqueue: no such message');
}

/** Everything waiting, oldest first (per conversation order is the message order). */
export function listOutbox(db: Db): OutboxItem[] {
  return stmt(
    db,
    `SELECT o.message_id, m.contact_id, m.conv_seq, m.body, m.sent_at, o.attempts, o.next_attempt_at, o.last_error, m.kind, m.reply_to, m.quote, m.ttl
       FROM outbox o CROSS JOIN messages m ON m.id = o.message_id ORDER BY o.seq`,
  ).all() as OutboxItem[];
}

/** Contacts with at least one message due now (the outbox's own index: as fast with 1,000,000 messages stored as with none). */
export function dueContacts(db: Db, now: number): string[] {
  return stmt(db, 'SELECT DISTINCT contact_id FROM outbox WHERE next_attempt_at <= ?').pluck().all(now) as string[];
}

/** When the next waiting message falls due (ms since the epoch); null when the outbox is empty. */
export function nextDueAt(db: Db): number | null {
  return (stmt(db, 'SELECT min(next_attempt_at) FROM outbox').pluck().get() as number | null) ?? null;
}

/** All waiting messages of one contact, in conversation order. */
export function outboxFor(db: Db, contactId: string): OutboxItem[] {
  return stmt(
    db,
    `SELECT o.message_id, m.contact_id, m.conv_seq, m.body, m.sent_at, o.attempts, o.next_attempt_at, o.last_error, m.kind, m.reply_to, m.quote, m.ttl
       FROM outbox o CROSS JOIN messages m ON m.id = o.message_id WHERE o.contact_id = ? ORDER BY o.seq`,
  ).all(contactId) as OutboxItem[];
}

export function recordAttempt(db: Db, messageId: string, nextAttemptAt: number, error: string | null): void {
  stmt(db, 'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ?').run(nextAttemptAt, error, messageId);
}

/** Removes a message from the outbox; true if it was there (so the receipt is news). */
export function dequeue(db: Db, messageId: string): boolean {
  return stmt(db, 'DELETE FROM outbox WHERE message_id = ?').run(messageId).changes === 1;
}
