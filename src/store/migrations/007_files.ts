import type { Db } from '../types.js';

/**
 * File transfers, both ways. A row is the whole state a restart needs: the file key and the
 * secretstream header (the database is encrypted at rest when the home has a passphrase; the
 * chunks on disk stay encrypted with this key either way), how far the transfer got (`done`: chunks
 * the receiver acknowledged, for a sent file; chunks received and verified, for a received one) and,
 * for a received file, the secretstream state after those chunks, so a restart resumes mid-file.
 */
export function up(db: Db): void {
  db.exec(`
    CREATE TABLE files (
      id TEXT PRIMARY KEY,
      contact_id TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      name TEXT NOT NULL,
      size INTEGER NOT NULL,
      mime TEXT NOT NULL,
      hash TEXT NOT NULL,
      key BLOB NOT NULL,
      header BLOB NOT NULL,
      chunk_size INTEGER NOT NULL,
      chunks INTEGER NOT NULL,
      done INTEGER NOT NULL DEFAULT 0,
      pull_state BLOB,
      state TEXT NOT NULL,
      reason TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX files_by_contact ON files(contact_id, created_at);
    CREATE INDEX files_active ON files(state) WHERE state IN ('offering', 'sending', 'waiting', 'receiving');
  `);
}
