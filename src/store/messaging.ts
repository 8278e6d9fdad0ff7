import { stmt, type Db } from './db.js';

/*
 * Deleting messages for good (disappearing timers, delete for me, delete for everyone, clearing a
 * conversation) and the per-conversation disappearing timer (migration 006). A deleted message goes
 * from the messages table, its outbox entry, the search index (triggers, FTS5 secure-delete) and any
 * quote of it in a reply; `scrub` then takes it out of the WAL (see there).
 */

export interface Removed {
  id: string;
  contact_id: string;
}

/** Removes messages (their outbox entries, and quotes of them in replies); returns what was there. */
export function deleteMessages(db: Db, ids: readonly string[]): Removed[] {
  const removed: Removed[] = [];
  for (const id of ids) {
    const row = stmt(db, 'SELECT id, contact_id FROM messages WHERE id = ?').get(id) as Removed | undefined;
    if (!row) continue;
    stmt(db, 'DELETE FROM outbox WHERE message_id = ?').run(id);
    forgetQuotesOf(db, id);
    stmt(db, 'DELETE FROM messages WHERE id = ?').run(id);
    removed.push(row);
  }
  return removed;
}

/** Replies keep the original's ID (so the UI can say "a deleted message") but not its words. */
function forgetQuotesOf(db: Db, id: string): void {
  stmt(db, 'UPDATE messages SET quote = NULL WHERE reply_to = ? AND quote IS NOT NULL').run(id);
}

/** Every message (of any conversation) whose disappearing timer ran out by `now`. */
export function expiredIds(db: Db, now: number, limit = 1000): string[] {
  return stmt(db, 'SELECT id FROM messages WHERE expires_at <= ? ORDER BY expires_at LIMIT ?').pluck().all(now, limit) as string[];
}

/** When the next disappearing message runs out (ms since epoch); null if none will. */
export function nextExpiry(db: Db): number | null {
  return (stmt(db, 'SELECT min(expires_at) FROM messages WHERE expires_at IS NOT NULL').pluck().get() as number | null) ?? null;
}

/** The highest `n` of a message from this contact that was deleted here (migration 006's trigger keeps it); 0 if none. */
export function deletedInFloor(db: Db, contactId: string): number {
  return (stmt(db, 'SELECT in_seq_floor FROM contacts WHERE id = ?').pluck().get(contactId) as number | undefined) ?? 0;
}

/** Turns a message into the tombstone of a message deleted for everyone: its words are gone. */
export function tombstone(db: Db, id: string): boolean {
  forgetQuotesOf(db, id);
  return stmt(db, "UPDATE messages SET kind = 'deleted', body = '', quote = NULL, reply_to = NULL WHERE id = ?").run(id).changes === 1;
}

/** Removes every message of one conversation (the contact stays); returns their IDs. */
export function clearConversation(db: Db, contactId: string): string[] {
  const ids = stmt(db, 'SELECT id FROM messages WHERE contact_id = ?').pluck().all(contactId) as string[];
  deleteMessages(db, ids);
  return ids;
}

/** The conversation's disappearing timer (seconds; 0: off). */
export function disappearSeconds(db: Db, contactId: string): number {
  return (stmt(db, 'SELECT disappear_seconds FROM contacts WHERE id = ?').pluck().get(contactId) as number | undefined) ?? 0;
}

/** Sets the conversation's timer unless a later change (by either side, by its sender's clock) was applied already. */
export function setDisappear(db: Db, contactId: string, seconds: number, at: number): boolean {
  return (
    stmt(db, 'UPDATE contacts SET disappear_seconds = ?, disappear_set_at = ? WHERE id = ? AND disappear_set_at <= ?').run(seconds, at, contactId, at)
      .changes === 1
  );
}

/** The name a stranger offered with their request (shown as unverified until the receiver names them). */
export function setOfferedName(db: Db, contactId: string, name: string): void {
  stmt(db, 'UPDATE contacts SET offered_name = ? WHERE id = ?').run(name, contactId);
}

/** Puts a stored message (back) in the outbox, due now: a delete for everyone goes out as the message did. */
export function requeue(db: Db, messageId: string, now: number): void {
  stmt(
    db,
    `INSERT INTO outbox (message_id, contact_id, seq, next_attempt_at) SELECT id, contact_id, seq, @now FROM messages WHERE id = @id
       ON CONFLICT(message_id) DO UPDATE SET next_attempt_at = @now`,
  ).run({ id: messageId, now });
}

/** Makes a waiting message due now (retry). */
export function retryNow(db: Db, messageId: string, now: number): boolean {
  return stmt(db, 'UPDATE outbox SET next_attempt_at = ? WHERE message_id = ?').run(now, messageId).changes === 1;
}

/**
 * The sequence number of my newest message to `contactId` before `n` that still exists: the one
 * the receiver must have before `n` (a message cancelled before it left leaves a gap they must not
 * wait for).
 */
export function previousOutSeq(db: Db, contactId: string, n: number): number {
  return (
    (stmt(db, "SELECT max(conv_seq) FROM messages WHERE contact_id = ? AND direction = 'out' AND conv_seq < ?").pluck().get(contactId, n) as number | null) ?? 0
  );
}

/**
 * Takes deleted content out of the files: checkpoints the WAL into the database and truncates it
 * (the WAL would otherwise keep the old pages until it is reused). With `secure_delete` on (openDb),
 * SQLite has zeroed the deleted cells and freed pages in the database itself. False when a reader
 * held the WAL open and the checkpoint could not finish (try again later).
 */
export function scrub(db: Db): boolean {
  const r = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  return r[0]?.busy === 0;
}
