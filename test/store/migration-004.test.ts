import { describe, expect, it } from 'vitest';
import { openDb, migrate, schemaVersion } from '../../src/store/index.js';

describe('migration 003 → 004 (prekey ages)', () => {
  it('keeps every prekey, dates them now, and starts the grace period of all but the current ones', () => {
    const db = openDb(':memory:', 3);
    const blob = Buffer.from([1, 2, 3]);
    db.prepare("INSERT INTO kv (key, value) VALUES ('e2e.signed.current', '2')").run();
    for (const id of [1, 2]) db.prepare('INSERT INTO signal_signed_prekeys (id, record, created_at) VALUES (?, ?, 5)').run(id, blob);
    db.prepare('INSERT INTO signal_prekeys (id, record) VALUES (7, ?)').run(blob);
    // two last-resort Kyber prekeys (one per relay connect, as before) and a one-time one
    db.prepare('INSERT INTO signal_kyber_prekeys (id, record, last_resort) VALUES (10, ?, 1), (11, ?, 1), (12, ?, 0)').run(blob, blob, blob);
    const before = Date.now();
    migrate(db, 4);
    expect(schemaVersion(db)).toBe(4);
    const signed = db.prepare('SELECT id, retired_at FROM signal_signed_prekeys ORDER BY id').all() as Array<{ id: number; retired_at: number | null }>;
    expect(signed.map((r) => [r.id, r.retired_at === null])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(signed[0]!.retired_at).toBeGreaterThanOrEqual(before - 1000);
    const kyber = db.prepare('SELECT id, retired_at, created_at FROM signal_kyber_prekeys ORDER BY id').all() as Array<{
      id: number;
      retired_at: number | null;
      created_at: number;
    }>;
    expect(kyber.map((r) => [r.id, r.retired_at === null])).toEqual([
      [10, false],
      [11, true],
      [12, true],
    ]);
    expect(kyber.every((r) => r.created_at >= before - 1000)).toBe(true);
    expect((db.prepare('SELECT created_at FROM signal_prekeys WHERE id = 7').get() as { created_at: number }).created_at).toBeGreaterThanOrEqual(before - 1000);
    expect(db.prepare("SELECT value FROM kv WHERE key = 'e2e.kyber.lastResort'").get()).toEqual({ value: '11' });
  });
});
