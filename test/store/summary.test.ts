import { describe, expect, it } from 'vitest';
import {
  openDb,
  migrate,
  insertMessage,
  upsertContact,
  unreadCounts,
  markRead,
  deleteRequest,
  lastMessages,
  newestRoutes,
  enqueue,
  dueContacts,
  outboxFor,
  type Db,
} from '../../src/store/index.js';

let n = 0;
const add = (db: Db, contactId: string, direction: 'in' | 'out', route: string | null = null) => {
  const i = ++n;
  insertMessage(db, {
    id: `m${i}`,
    contactId,
    direction,
    convSeq: i,
    body: `b${i}`,
    sentAt: i,
    receivedAt: i,
    state: direction === 'in' ? 'received' : 'queued',
    route,
  });
  return `m${i}`;
};

describe('contact summary (migration 004): what the contact list shows, kept with each write', () => {
  it('counts unread incoming messages per contact through arrivals, reading and a declined request', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    upsertContact(db, 'carol', 'added', 1);
    add(db, 'bob', 'in');
    add(db, 'bob', 'out');
    add(db, 'bob', 'in');
    add(db, 'carol', 'in');
    expect(unreadCounts(db)).toEqual(
      new Map([
        ['bob', 2],
        ['carol', 1],
      ]),
    );
    markRead(db, 'bob');
    expect(unreadCounts(db)).toEqual(new Map([['carol', 1]]));
    add(db, 'bob', 'in');
    expect(unreadCounts(db, 'bob')).toEqual(new Map([['bob', 1]]));
    upsertContact(db, 'dave', 'request', 2);
    add(db, 'dave', 'in');
    expect(unreadCounts(db).get('dave')).toBe(1);
    expect(deleteRequest(db, 'dave')).toBe(true);
    expect(unreadCounts(db).has('dave')).toBe(false);
    upsertContact(db, 'dave', 'request', 3);
    add(db, 'dave', 'in');
    expect(unreadCounts(db).get('dave')).toBe(1);
  });

  it('a database from before migration 004 gets its unread counts and outbox contacts from what it holds', () => {
    const db = openDb(':memory:', 3);
    upsertContact(db, 'bob', 'added', 1);
    add(db, 'bob', 'in');
    add(db, 'bob', 'in');
    const waiting = add(db, 'bob', 'out');
    db.prepare('INSERT INTO outbox (message_id, next_attempt_at) VALUES (?, 5)').run(waiting);
    db.prepare("UPDATE contacts SET last_read_seq = (SELECT seq FROM messages WHERE id = ?) WHERE id = 'bob'").run(`m${n - 2}`); // the first one read
    migrate(db);
    expect(unreadCounts(db)).toEqual(new Map([['bob', 1]]));
    expect(dueContacts(db, 5)).toEqual(['bob']);
    expect(outboxFor(db, 'bob').map((o) => o.message_id)).toEqual([waiting]);
  });

  it('the newest message and the newest routed message each way, per contact', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    upsertContact(db, 'carol', 'added', 1);
    add(db, 'bob', 'in', 'in-1');
    add(db, 'bob', 'out', 'out-1');
    add(db, 'bob', 'in', 'in-2');
    const last = add(db, 'bob', 'out');
    enqueue(db, last, 1);
    expect(lastMessages(db).get('bob')?.id).toBe(last);
    expect(lastMessages(db).has('carol')).toBe(false);
    expect(newestRoutes(db)).toEqual(new Map([['bob', { in: 'in-2', out: 'out-1' }]]));
    expect(newestRoutes(db, 'carol').size).toBe(0);
  });
});
