import { stmt, writeTx, type Db } from './db.js';

export type Visibility = 'direct' | 'relayed';
export type ContactState = 'added' | 'request' | 'blocked';

export interface ContactRow {
  id: string;
  name: string | null;
  state: ContactState;
  visibility: Visibility;
  added_at: number;
  next_out_seq: number;
  last_read_seq: number;
  /** Migration 006: the conversation's disappearing timer (seconds, 0 off) and when it was set; the name a stranger offered. */
  disappear_seconds: number;
  disappear_set_at: number;
  offered_name: string | null;
  in_seq_floor: number;
}

export function getContact(db: Db, id: string): ContactRow | undefined {
  return stmt(db, 'SELECT * FROM contacts WHERE id = ?').get(id) as ContactRow | undefined;
}

export function listContacts(db: Db): ContactRow[] {
  return stmt(db, 'SELECT * FROM contacts ORDER BY added_at, id').all() as ContactRow[];
}

/** Adds a contact, or promotes a pending request to a contact; returns the row. */
export function upsertContact(db: Db, id: string, state: ContactState, now: number, name?: string | null): ContactRow {
  stmt(
    db,
    `INSERT INTO contacts (id, name, state, added_at) VALUES (@id, @name, @state, @now)
     ON CONFLICT(id) DO UPDATE SET
       state = CASE WHEN contacts.state = 'request' OR @state = 'blocked' THEN @state ELSE contacts.state END,
       name = COALESCE(@name, contacts.name)`,
  ).run({ id, name: name ?? null, state, now });
  return getContact(db, id)!;
}

export function setContactState(db: Db, id: string, state: ContactState): boolean {
  return stmt(db, 'UPDATE contacts SET state = ? WHERE id = ?').run(state, id).changes === 1;
}

export function setContactName(db: Db, id: string, name: string): boolean {
  return stmt(db, 'UPDATE contacts SET name = ? WHERE id = ?').run(name, id).changes === 1;
}

export function setVisibility(db: Db, id: string, visibility: Visibility): boolean {
  return stmt(db, 'UPDATE contacts SET visibility = ? WHERE id = ?').run(visibility, id).changes === 1;
}

/** Takes the next per-conversation sequence number for an outgoing message. */
export function takeOutSeq(db: Db, id: string): number {
  const row = stmt(db, 'UPDATE contacts SET next_out_seq = next_out_seq + 1 WHERE id = ? RETURNING next_out_seq - 1 AS n').get(id) as { n: number } | undefined;
  if (!row) throw new Error('unknown contact');
  return row.n;
}

/** Declines a contact request: the request and what it said are deleted. False if it is not a request. */
export function deleteRequest(db: Db, id: string): boolean {
  return writeTx(db, () => {
    const row = getContact(db, id);
    if (row?.state !== 'request') return false;
    stmt(db, 'DELETE FROM messages WHERE contact_id = ?').run(id);
    stmt(db, 'DELETE FROM contacts WHERE id = ?').run(id);
    return true;
  });
}
