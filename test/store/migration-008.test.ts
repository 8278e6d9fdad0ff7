import { describe, expect, it } from 'vitest';
import { openDb, migrate, schemaVersion, insertFile, getFile, setFileExtras, fileExtras, expiredFiles, deleteFiles } from '../../src/store/index.js';

describe('migration 007 → 008 (thumbnails, image metadata, files that disappear)', () => {
  it('keeps the files under way, adds their extras, and finds those whose timer ran out', () => {
    const db = openDb(':memory:', 7);
    db.prepare("INSERT INTO contacts (id, state, added_at) VALUES ('c', 'added', 1)").run();
    const base = {
      contact_id: 'c',
      direction: 'out' as const,
      name: 'a.jpg',
      size: 10,
      mime: 'image/jpeg',
      hash: 'h',
      key: Buffer.alloc(32, 1),
      header: Buffer.alloc(24, 2),
      chunk_size: 1024,
      chunks: 1,
      created_at: 5,
      state: 'sending' as const,
    };
    insertFile(db, { ...base, id: 'old' });
    migrate(db, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(getFile(db, 'old')).toMatchObject({ state: 'sending', thumb: null, metadata: null, ttl: null, expires_at: null });
    insertFile(db, { ...base, id: 'new' });
    setFileExtras(db, 'new', { thumb: Buffer.from('RIFF'), metadata: 'removed', ttl: 300, expires_at: 1_000 });
    expect(fileExtras(db, 'new')).toEqual({ thumb: Buffer.from('RIFF'), metadata: 'removed', ttl: 300, expires_at: 1_000 });
    expect(expiredFiles(db, 999)).toEqual([]);
    expect(expiredFiles(db, 1_000)).toEqual([{ id: 'new', contact_id: 'c' }]);
    expect(() => db.prepare("UPDATE files SET metadata = 'some' WHERE id = 'new'").run()).toThrow(/CHECK/);
    expect(deleteFiles(db, ['new', 'gone'])).toEqual(['new']);
    expect(getFile(db, 'new')).toBeUndefined();
  });
});
