import { stmt, type Db } from './db.js';

export interface OutboxItem {
  message_id: string;
  contact_id: string;
  conv_seq: number;
  body: string;
  sent_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

export function enqueue(db: Db, messageId: string, now: number): void {
  stmt(db, 'INSERT INTO outbox (message_id, next_attempt_at) VALUES (?, ?)').run(messageId, now);
}

/** Everything waiting, oldest first (per conversation order is the message order). */
export function listOutbox(db: Db): OutboxItem[] {
  return stmt(db,
      `SELECT o.message_id, m.contact_id, m.conv_seq, m.body, m.sent_at, o.attempts, o.next_attempt_at, o.last_error
       FROM outbox o JOIN messages m ON m.id = o.message_id ORDER BY m.seq`,
    )
    .all() as OutboxItem[];
}

/** Contacts with at least one message due now. */
export function dueContacts(db: Db, now: number): string[] {
  const rows = stmt(db,
      `SELECT DISTINCT m.contact_id AS id FROM outbox o JOIN messages m ON m.id = o.message_id
       WHERE o.next_attempt_at <= ?`,
    )
    .all(now) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** All waiting messages of one contact, in conversation order. */
export function outboxFor(db: Db, contactId: string): OutboxItem[] {
  return stmt(db,
      `SELECT o.message_id, m.contact_id, m.conv_seq, m.body, m.sent_at, o.attempts, o.next_attempt_at, o.last_error
       FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.contact_id = ? ORDER BY m.seq`,
    )
    .all(contactId) as OutboxItem[];
}

export function recordAttempt(db: Db, messageId: string, nextAttemptAt: number, error: string | null): void {
  stmt(db, 'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ?').run(
    nextAttemptAt,
    error,
    messageId,
  );
}

/** Removes a message from the outbox; true if it was there (so the receipt is news). */
export function dequeue(db: Db, messageId: string): boolean {
  return stmt(db, 'DELETE FROM outbox WHERE message_id = ?').run(messageId).changes === 1;
}
