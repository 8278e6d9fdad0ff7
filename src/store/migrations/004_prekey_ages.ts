import type { Db } from '../types.js';

/**
 * Ages for every prekey, so they can rotate and be deleted after a grace period: when each one-time
 * prekey was minted, and when a signed or last-resort Kyber prekey was replaced (`retired_at`).
 * Keys that exist already count as minted now; every signed prekey but the current one, and every
 * last-resort Kyber prekey but the newest, count as replaced now (the grace period starts today).
 */
export function up(db: Db): void {
  db.exec(`
    ALTER TABLE signal_prekeys ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE signal_kyber_prekeys ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE signal_signed_prekeys ADD COLUMN retired_at INTEGER;
    ALTER TABLE signal_kyber_prekeys ADD COLUMN retired_at INTEGER;

    UPDATE signal_prekeys SET created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
    UPDATE signal_kyber_prekeys SET created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
    UPDATE signal_signed_prekeys SET retired_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
      WHERE id IS NOT (SELECT CAST(value AS INTEGER) FROM kv WHERE key = 'e2e.signed.current');
    UPDATE signal_kyber_prekeys SET retired_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
      WHERE last_resort = 1 AND id IS NOT (SELECT MAX(id) FROM signal_kyber_prekeys WHERE last_resort = 1);
    INSERT OR REPLACE INTO kv (key, value)
      SELECT 'e2e.kyber.lastResort', CAST(MAX(id) AS TEXT) FROM signal_kyber_prekeys WHERE last_resort = 1 HAVING MAX(id) IS NOT NULL;

    CREATE INDEX signal_prekeys_age ON signal_prekeys (created_at);
    CREATE INDEX signal_kyber_prekeys_age ON signal_kyber_prekeys (last_resort, created_at);
  `);
}
