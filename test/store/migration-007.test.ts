import { describe, expect, it } from 'vitest';
import { openDb, migrate, schemaVersion, insertFile, getFile, activeFiles } from '../../src/store/index.js';

describe('migration 005 → 007 (files)', () => {
  it('keeps the messages and adds a STRICT files table that resumes what was under way', () => {
    const db = openDb(':memory:', 5);
    db.prepare("INSERT INTO contacts (id, state, added_at) VALUES ('c', 'added', 1)").run();
    migrate(db, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare("SELECT count(*) AS n FROM contacts WHERE id = 'c'").get()).toEqual({ n: 1 });
    const base = {
      contact_id: 'c',
      direction: 'in' as const,
      name: 'a.pdf',
      size: 10,
      mime: 'application/pdf',
      hash: 'h',
      key: Buffer.alloc(32, 1),
      header: Buffer.alloc(24, 2),
      chunk_size: 1024,
      chunks: 1,
      created_at: 5,
    };
    expect(insertFile(db, { ...base, id: 'x1', state: 'receiving' })).toBe(true);
    expect(insertFile(db, { ...base, id: 'x1', state: 'receiving' })).toBe(false); // an offer that comes again
    insertFile(db, { ...base, id: 'x2', state: 'complete' });
    expect(getFile(db, 'x1')).toMatchObject({ key: Buffer.alloc(32, 1), done: 0, state: 'receiving' });
    expect(activeFiles(db).map((f) => f.id)).toEqual(['x1']);
    expect(() => db.prepare("UPDATE files SET size = 'big' WHERE id = 'x1'").run()).toThrow(/cannot store TEXT value in INTEGER column/);
  });
});
