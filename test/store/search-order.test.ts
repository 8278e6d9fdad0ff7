import { describe, expect, it } from 'vitest';
import { openDb, insertMessage, upsertContact, searchMessages, type Db } from '../../src/store/index.js';

/** The SQL searchMessages prepares, caught on its way to SQLite. */
function searchSql(db: Db): string {
  const prepare = db.prepare.bind(db);
  let sql = '';
  const spy = Object.assign(Object.create(db) as Db, { prepare: (s: string) => ((sql = s), prepare(s)) });
  searchMessages(spy, 'word');
  return sql;
}

describe('history search on a long history', () => {
  it('walks the index newest first and stops at the limit, instead of sorting every match', () => {
    const db = openDb(':memory:');
    upsertContact(db, 'bob', 'added', 1);
    upsertContact(db, 'carol', 'added', 1);
    for (let i = 1; i <= 300; i++) {
      insertMessage(db, {
        id: `m${i}`,
        contactId: i % 3 ? 'bob' : 'carol',
        direction: 'in',
        convSeq: i,
        body: `word number ${i}`,
        sentAt: i,
        receivedAt: i,
        state: 'received',
        route: null,
      });
    }
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${searchSql(db)}`).all({ query: '"word"*', contactId: null, limit: 50 }) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join(' | ');
    expect(plan).not.toMatch(/TEMP B-TREE/);
    expect(searchMessages(db, 'word', { limit: 5 }).map((h) => h.id)).toEqual(['m300', 'm299', 'm298', 'm297', 'm296']);
    expect(searchMessages(db, 'word', { contactId: 'carol', limit: 3 }).map((h) => h.id)).toEqual(['m300', 'm297', 'm294']);
  });
});
