import { stmt, type Db } from './db.js';
import type { MessageRow } from './messages.js';

/*
 * What the contact list shows per contact, each read by an index probe per contact (migration 004),
 * never by grouping the whole history.
 */

/** The newest message per contact (or of one contact). */
export function lastMessages(db: Db, contactId?: string): Map<string, MessageRow> {
  const rows = (
    contactId === undefined
      ? stmt(db, 'SELECT m.* FROM contacts c JOIN messages m ON m.seq = (SELECT max(seq) FROM messages WHERE contact_id = c.id)').all()
      : stmt(db, 'SELECT * FROM messages WHERE contact_id = ? ORDER BY seq DESC LIMIT 1').all(contactId)
  ) as MessageRow[];
  return new Map(rows.map((r) => [r.contact_id, r]));
}

/** The route (stored JSON) of a contact's newest incoming and newest outgoing message that has one. */
export interface NewestRoutes {
  in: string | null;
  out: string | null;
}

// One max() probe of the partial index messages_routed per contact and direction.
const newest = (direction: 'in' | 'out') =>
  `(SELECT route FROM messages WHERE seq = (SELECT max(seq) FROM messages WHERE contact_id = c.id AND direction = '${direction}' AND route IS NOT NULL))`;

/** Per contact (or for one): the routes of its newest routed message each way (see `NewestRoutes`). */
export function newestRoutes(db: Db, contactId?: string): Map<string, NewestRoutes> {
  const select = `SELECT c.id AS id, ${newest('in')} AS "in", ${newest('out')} AS out FROM contacts c`;
  const rows = (contactId === undefined ? stmt(db, select).all() : stmt(db, `${select} WHERE c.id = ?`).all(contactId)) as Array<NewestRoutes & { id: string }>;
  return new Map(rows.filter((r) => r.in !== null || r.out !== null).map((r) => [r.id, { in: r.in, out: r.out }]));
}
