import { describe, expect, it } from 'vitest';
import { openDb, migrate, insertMessage, upsertContact, searchMessages, unreadCounts, markRead, conversationPage } from '../../src/store/index.js';

const msg = (i: number, contactId: string, body: string, direction: 'in' | 'out' = 'in') => ({
  id: `m${i}`,
  contactId,
  direction,
  convSeq: i,
  body,
  sentAt: i,
  receivedAt: i,
  state: direction === 'in' ? ('received' as const) : ('sent' as const),
  route: null,
});

describe('history search (migration 003, FTS5)', () => {
  it('finds words by prefix, ignoring case and accents, newest first, with a highlighted snippet', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    insertMessage(db, msg(1, 'bob', 'Meet at the Café at noon'));
    insertMessage(db, msg(2, 'bob', 'the cafe was closed'));
    insertMessage(db, msg(3, 'bob', 'nothing to see'));
    const hits = searchMessages(db, 'CAFE');
    expect(hits.map((h) => h.id)).toEqual(['m2', 'm1']);
    expect(hits[1]!.snippet).toContain('\u0002Café\u0003');
    expect(searchMessages(db, 'caf').length).toBe(2);
    expect(searchMessages(db, 'cafe closed').map((h) => h.id)).toEqual(['m2']);
  });

  it('treats FTS5 syntax in the query as plain text, and an empty query finds nothing', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    insertMessage(db, msg(1, 'bob', 'alpha OR beta "quoted" NEAR(x)'));
    for (const q of ['"', 'OR', 'NEAR(', '*', 'alpha" OR "', '-beta', 'a:b']) expect(() => searchMessages(db, q)).not.toThrow();
    expect(searchMessages(db, '"quoted"').map((h) => h.id)).toEqual(['m1']);
    expect(searchMessages(db, '  ')).toEqual([]);
  });

  it('keeps the index in step with deletes and edits, and can filter by contact', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    upsertContact(db, 'carol', 'added', 1);
    insertMessage(db, msg(1, 'bob', 'launch plan'));
    insertMessage(db, msg(2, 'carol', 'launch party'));
    expect(searchMessages(db, 'launch', { contactId: 'carol' }).map((h) => h.id)).toEqual(['m2']);
    db.prepare("UPDATE messages SET body = 'renamed' WHERE id = 'm2'").run();
    db.prepare("DELETE FROM messages WHERE id = 'm1'").run();
    expect(searchMessages(db, 'launch')).toEqual([]);
    expect(searchMessages(db, 'renamed').map((h) => h.id)).toEqual(['m2']);
  });

  it('indexes messages stored before the migration ran', () => {
    const db = openDb(':memory:', 2);
    upsertContact(db, 'bob', 'added', 1);
    insertMessage(db, msg(1, 'bob', 'written under schema two'));
    migrate(db, 3);
    expect(searchMessages(db, 'schema').map((h) => h.id)).toEqual(['m1']);
  });
});

describe('unread counts and pages', () => {
  it('counts incoming messages after the read marker', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    insertMessage(db, msg(1, 'bob', 'one'));
    insertMessage(db, msg(2, 'bob', 'mine', 'out'));
    insertMessage(db, msg(3, 'bob', 'two'));
    expect(unreadCounts(db).get('bob')).toBe(2);
    markRead(db, 'bob');
    expect(unreadCounts(db).get('bob')).toBeUndefined();
    insertMessage(db, msg(4, 'bob', 'three'));
    expect(unreadCounts(db).get('bob')).toBe(1);
  });

  it('pages a conversation backwards, oldest first within a page', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    for (let i = 1; i <= 10; i++) insertMessage(db, msg(i, 'bob', `n${i}`));
    const last = conversationPage(db, 'bob', { limit: 4 });
    expect(last.map((m) => m.body)).toEqual(['n7', 'n8', 'n9', 'n10']);
    expect(conversationPage(db, 'bob', { before: last[0]!.seq, limit: 4 }).map((m) => m.body)).toEqual(['n3', 'n4', 'n5', 'n6']);
  });
});
