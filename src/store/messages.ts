import { stmt, type Db } from './db.js';

export type MessageState = 'queued' | 'sent' | 'delivered' | 'received';
/** text: a message; timer: a change of the conversation's disappearing timer; deleted: a tombstone (deleted for everyone). */
export type MessageKind = 'text' | 'timer' | 'deleted';

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
  kind: MessageKind;
  /** The message this one replies to, and a short quote of it (null once that message is gone). */
  reply_to: string | null;
  quote: string | null;
  /** The disappearing timer (seconds) this message was sent under; for a `timer` entry, the new setting. */
  ttl: number | null;
  /** When it disappears (ms since epoch), if it does. */
  expires_at: number | null;
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
  kind?: MessageKind;
  replyTo?: string | null;
  quote?: string | null;
  ttl?: number | null;
  expiresAt?: number | null;
}

/** Inserts a message; returns false if a message with that ID already exists (a duplicate). */
export function insertMessage(db: Db, m: NewMessage): boolean {
  // A plain text names only the columns of migration 001 (so it also fills a database not yet migrated, as tests of migrations do).
  const plain = m.kind === undefined && !m.replyTo && !m.quote && !m.ttl && !m.expiresAt;
  const r = plain
    ? stmt(
        db,
        `INSERT INTO messages (id, contact_id, direction, conv_seq, body, sent_at, received_at, state, route)
           VALUES (@id, @contactId, @direction, @convSeq, @body, @sentAt, @receivedAt, @state, @route)
           ON CONFLICT(id) DO NOTHING`,
      ).run({
        id: m.id,
        contactId: m.contactId,
        direction: m.direction,
        convSeq: m.convSeq,
        body: m.body,
        sentAt: m.sentAt,
        receivedAt: m.receivedAt,
        state: m.state,
        route: m.route,
      })
    : stmt(
        db,
        `INSERT INTO messages (id, contact_id, direction, conv_seq, body, sent_at, received_at, state, route, kind, reply_to, quote, ttl, expires_at)
           VALUES (@id, @contactId, @direction, @convSeq, @body, @sentAt, @receivedAt, @state, @route, @kind, @replyTo, @quote, @ttl, @expiresAt)
           ON CONFLICT(id) DO NOTHING`,
      ).run({ kind: 'text', replyTo: null, quote: null, ttl: null, expiresAt: null, ...m });
  return r.changes === 1;
}

export function getMessage(db: Db, id: string): MessageRow | undefined {
  return stmt(db, 'SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
}

/**
 * The sender's sequence number (`n`) of the latest message that arrived from `contactId`; 0 if none.
 * A message deleted since (expired, deleted for me, conversation cleared) still counts (migration 006).
 */
export function lastArrivedSeq(db: Db, contactId: string): number {
  const row = stmt(db, "SELECT conv_seq FROM messages WHERE contact_id = ? AND direction = 'in' ORDER BY seq DESC LIMIT 1").get(contactId) as
    { conv_seq: number } | undefined;
  const floor = stmt(db, 'SELECT in_seq_floor FROM contacts WHERE id = ?').pluck().get(contactId) as number | undefined;
  return Math.max(row?.conv_seq ?? 0, floor ?? 0);
}

export function history(db: Db, contactId?: string, limit = 1000): MessageRow[] {
  const rows = contactId
    ? stmt(db, 'SELECT * FROM messages WHERE contact_id = ? ORDER BY seq DESC LIMIT ?').all(contactId, limit)
    : stmt(db, 'SELECT * FROM messages ORDER BY seq DESC LIMIT ?').all(limit);
  return (rows as MessageRow[]).reverse();
}

export function setMessageState(db: Db, id: string, state: MessageState, route?: string): boolean {
  return stmt(db, "UPDATE messages SET state = ?, route = COALESCE(?, route) WHERE id = ? AND direction = 'out'").run(state, route ?? null, id).changes === 1;
}

export interface SearchHit extends MessageRow {
  /** The body with each match wrapped in \u0002…\u0003 (the UI turns these into highlights). */
  snippet: string;
}

/**
 * Searches history with FTS5. The user's text is split into words and each becomes a quoted prefix
 * term, so no input can be read as FTS5 syntax (a stray quote or `OR` is just text). Newest first:
 * ordered by the index's own rowid (= seq), which FTS5 walks backwards and stops after `limit`; ordering
 * by m.seq made SQLite sort every match and build a snippet for each (290 ms vs 6 ms for a word in most
 * of 100,000 messages, bench/daemon.ts).
 */
export function searchMessages(db: Db, text: string, opts: { contactId?: string; limit?: number } = {}): SearchHit[] {
  const terms = text.match(/[\p{L}\p{N}_]+/gu);
  if (!terms) return [];
  const query = terms.map((t) => `"${t}"*`).join(' ');
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 500));
  return stmt(
    db,
    `SELECT m.*, snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet
       FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
       WHERE messages_fts MATCH @query AND (@contactId IS NULL OR m.contact_id = @contactId)
       ORDER BY messages_fts.rowid DESC LIMIT @limit`,
  ).all({ query, contactId: opts.contactId ?? null, limit }) as SearchHit[];
}

/**
 * Unread incoming messages per contact (after the contact's read marker), contacts with none left
 * out; one contact's with `contactId`. Read from `contact_summary`, which triggers keep in step
 * (migration 004): no count over history.
 */
export function unreadCounts(db: Db, contactId?: string): Map<string, number> {
  const rows = (
    contactId === undefined
      ? stmt(db, 'SELECT contact_id AS id, unread AS n FROM contact_summary WHERE unread > 0').all()
      : stmt(db, 'SELECT contact_id AS id, unread AS n FROM contact_summary WHERE contact_id = ? AND unread > 0').all(contactId)
  ) as Array<{ id: string; n: number }>;
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Marks a conversation read up to its newest message. */
export function markRead(db: Db, contactId: string): void {
  stmt(db, 'UPDATE contacts SET last_read_seq = (SELECT COALESCE(max(seq), 0) FROM messages WHERE contact_id = ?) WHERE id = ?').run(contactId, contactId);
}

/** A page of one conversation, `before` a seq (exclusive), oldest first. */
export function conversationPage(db: Db, contactId: string, opts: { before?: number; limit?: number } = {}): MessageRow[] {
  const limit = Math.max(1, Math.min(opts.limit ?? 200, 10_000));
  const rows = stmt(db, 'SELECT * FROM messages WHERE contact_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?').all(
    contactId,
    opts.before ?? Number.MAX_SAFE_INTEGER,
    limit,
  ) as MessageRow[];
  return rows.reverse();
}
