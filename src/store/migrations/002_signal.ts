import type { Db } from '../types.js';

/** Tables behind libsignal's stores: sessions, known identities, one-time, signed and Kyber prekeys. */
export function up(db: Db): void {
  db.exec(`
    CREATE TABLE signal_sessions (
      address TEXT PRIMARY KEY,
      record BLOB NOT NULL
    ) STRICT;

    CREATE TABLE signal_identities (
      address TEXT PRIMARY KEY,
      identity_key BLOB NOT NULL,
      first_seen_at INTEGER NOT NULL,
      changed_at INTEGER,
      verified INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE signal_prekeys (
      id INTEGER PRIMARY KEY,
      record BLOB NOT NULL
    ) STRICT;

    CREATE TABLE signal_signed_prekeys (
      id INTEGER PRIMARY KEY,
      record BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE signal_kyber_prekeys (
      id INTEGER PRIMARY KEY,
      record BLOB NOT NULL,
      last_resort INTEGER NOT NULL DEFAULT 0,
      used INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE signal_kyber_base_keys_seen (
      kyber_prekey_id INTEGER NOT NULL,
      signed_prekey_id INTEGER NOT NULL,
      base_key BLOB NOT NULL,
      PRIMARY KEY (kyber_prekey_id, signed_prekey_id, base_key)
    ) STRICT;
  `);
}
