import type { Db } from './db.js';

export type MessageState = 'queued' | 'sent' | 'delivered' | 'received';

export interface MessageRow {
  seq: number;
  id: string;
  contact_id: string;
  direction: 'in' | 'out';
  conv_seq: number;
  body: string;
  sent_at: number;
  received_at: number | null;
  state: MessageState;
  route: string | null;
}

export interface NewMessage {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  convSeq: number;
  body: string;
  sentAt: number;
  receivedAt: number | null;
  state: MessageState;
  route: string | null;
}

/** Inserts a message; returns false if a message with that ID already exists (a duplicate). */
export function insertMessage(db: Db, m: NewMessage): boolean {
  const r = db
    .prepare(
      `INSERT INTO messages (id, contact_id, direction, conv_seq, body, sent_at, received_at, state, route)
       VALUES (@id, @contactId, @direction, @convSeq, @body, @sentAt, @receivedAt, @state, @route)
       ON CONFLICT(id) DO NOTHING`,
    )
    .run(m);
  return r.changes === 1;
}

export function getMessage(db: Db, id: string): MessageRow | undefined {
  return db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
}

export function history(db: Db, contactId?: string, limit = 1000): MessageRow[] {
  const rows = contactId
    ? db.prepare('SELECT * FROM messages WHERE contact_id = ? ORDER BY seq DESC LIMIT ?').all(contactId, limit)
    : db.prepare('SELECT * FROM messages ORDER BY seq DESC LIMIT ?').all(limit);
  return (rows as MessageRow[]).reverse();
}

export function setMessageState(db: Db, id: string, state: MessageState, route?: string): boolean {
  return (
    db.prepare('UPDATE messages SET state = ?, route = COALESCE(?, route) WHERE id = ? AND direction = \'out\'').run(state, route ?? null, id)
      .changes === 1
  );
}
