import { stmt, writeTx, type Db } from '../store/index.js';

/** SQL over the prekey tables' ages (migration 004): what rotation and the mint bound need. */

export function retireSignedPreKey(db: Db, id: number, at: number): void {
  stmt(db, 'UPDATE signal_signed_prekeys SET retired_at = ? WHERE id = ? AND retired_at IS NULL').run(at, id);
}

export function markLastResort(db: Db, id: number): void {
  stmt(db, 'UPDATE signal_kyber_prekeys SET last_resort = 1 WHERE id = ?').run(id);
}

export function retireKyberPreKey(db: Db, id: number, at: number): void {
  stmt(db, 'UPDATE signal_kyber_prekeys SET retired_at = ? WHERE id = ? AND retired_at IS NULL').run(at, id);
}

/** One-time prekeys minted and not used yet (a used one is deleted by libsignal's store calls). */
export function unusedOneTimePreKeys(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM signal_prekeys').get() as { n: number }).n;
}

/**
 * Deletes what the grace period is over for: signed and last-resort Kyber prekeys replaced before
 * `before`, their replay records, and one-time prekeys minted before it and never used.
 */
export function deleteExpiredPreKeys(db: Db, before: number): number {
  return writeTx(db, () => {
    let n = stmt(db, 'DELETE FROM signal_signed_prekeys WHERE retired_at IS NOT NULL AND retired_at <= ?').run(before).changes;
    n += stmt(
      db,
      `DELETE FROM signal_kyber_base_keys_seen WHERE kyber_prekey_id IN
         (SELECT id FROM signal_kyber_prekeys WHERE last_resort = 1 AND retired_at IS NOT NULL AND retired_at <= ?)`,
    ).run(before).changes;
    n += stmt(db, 'DELETE FROM signal_kyber_prekeys WHERE last_resort = 1 AND retired_at IS NOT NULL AND retired_at <= ?').run(before).changes;
    n += stmt(db, 'DELETE FROM signal_kyber_prekeys WHERE last_resort = 0 AND created_at <= ?').run(before).changes;
    n += stmt(db, 'DELETE FROM signal_prekeys WHERE created_at <= ?').run(before).changes;
    return n;
  });
}
