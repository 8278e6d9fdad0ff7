import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, migrate, schemaVersion, LATEST_VERSION, StoreError } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const tables = (db: ReturnType<typeof openDb>) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
  });

  it('001: an empty database gets contacts, messages, outbox and kv as STRICT tables', () => {
    const db = openDb(':memory:', 1);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining(['contacts', 'messages', 'outbox', 'kv']));
    expect(() => db.prepare("INSERT INTO kv (key, value) VALUES ('k', x'00')").run()).toThrow(/cannot store BLOB/);
    expect(() => db.prepare("INSERT INTO contacts (id, state, added_at) VALUES ('x', 'friend', 1)").run()).toThrow(/CHECK/);
  });

  it('001 → 002: existing data survives and the Signal tables appear', () => {
    const db = openDb(':memory:', 1);
    db.prepare("INSERT INTO contacts (id, state, added_at) VALUES ('x', 'added', 1)").run();
    migrate(db, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(expect.arrayContaining(['signal_sessions', 'signal_identities', 'signal_prekeys', 'signal_kyber_prekeys']));
    expect(db.prepare('SELECT id, visibility FROM contacts').all()).toEqual([{ id: 'x', visibility: 'relayed' }]);
  });

  it('every later migration applies on top of the one before, keeping rows', () => {
    for (let v = 3; v <= LATEST_VERSION; v++) {
      const db = openDb(':memory:', v - 1);
      db.prepare("INSERT INTO contacts (id, state, added_at) VALUES ('x', 'added', 1)").run();
      migrate(db, v);
      expect(schemaVersion(db)).toBe(v);
      expect(db.prepare('SELECT count(*) AS n FROM contacts').get()).toEqual({ n: 1 });
    }
  });

  it('a file database is WAL, private to its owner, and refuses a newer schema with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    try {
      const path = join(dir, 'parley.db');
      const db = openDb(path);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      db.pragma(`user_version = ${LATEST_VERSION + 1}`);
      db.close();
      const err = (() => {
        try {
          openDb(path);
        } catch (e) {
          return e;
        }
      })();
      expect(StoreError.is(err) && err.code).toBe('NEWER_SCHEMA');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
