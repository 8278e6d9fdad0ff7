import { describe, expect, it } from 'vitest';
import { deleteMessages, insertMessage, lastArrivedSeq, migrate, openDb, schemaVersion, searchMessages, upsertContact } from '../../src/store/index.js';

describe('migration 005 → 006 (everyday messaging)', () => {
  it('keeps every message as a text, starts every conversation without a timer, and a deleted message still counts for the order', () => {
    const db = openDb(':memory:', 5);
    upsertContact(db, 'bob', 'added', 1);
    for (const n of [1, 2])
      insertMessage(db, {
        id: `m${n}`,
        contactId: 'bob',
        direction: 'in',
        convSeq: n,
        body: `orchard word ${n}`,
        sentAt: 1,
        receivedAt: 1,
        state: 'received',
        route: null,
      });
    migrate(db, 6);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare('SELECT kind, reply_to, expires_at FROM messages ORDER BY seq').all()).toEqual([
      { kind: 'text', reply_to: null, expires_at: null },
      { kind: 'text', reply_to: null, expires_at: null },
    ]);
    expect(db.prepare('SELECT disappear_seconds, offered_name, in_seq_floor FROM contacts').get()).toEqual({
      disappear_seconds: 0,
      offered_name: null,
      in_seq_floor: 0,
    });
    // Deleting the newest message neither loses its place in the order nor leaves it in the search index.
    deleteMessages(db, ['m2']);
    expect(lastArrivedSeq(db, 'bob')).toBe(2);
    expect(searchMessages(db, 'orchard').map((h) => h.id)).toEqual(['m1']);
    expect(db.prepare("SELECT v FROM messages_fts_config WHERE k = 'secure-delete'").pluck().get()).toBe(1);
  });
});
