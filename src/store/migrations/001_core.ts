import type { Db } from '../types.js';

/** Contacts, messages (in and out, in arrival order) and the outbox of messages awaiting a receipt. */
export function up(db: Db): void {
  db.exec(`
    CREATE TABLE contacts (
      id TEXT PRIMARY KEY,
      name TEXT,
      state TEXT NOT NULL CHECK (state IN ('added', 'request', 'blocked')),
      visibility TEXT NOT NULL DEFAULT 'relayed' CHECK (visibility IN ('direct', 'relayed')),
      added_at INTEGER NOT NULL,
      next_out_seq INTEGER NOT NULL DEFAULT 1
    ) STRICT;

    CREATE TABLE messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      contact_id TEXT NOT NULL REFERENCES contacts(id),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      conv_seq INTEGER NOT NULL,
      body TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      received_at INTEGER,
      state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'received')),
      route TEXT
    ) STRICT;
    CREATE INDEX messages_by_contact ON messages(contact_id, seq);

    CREATE TABLE outbox (
      message_id TEXT PRIMARY KEY REFERENCES messages(id),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT
    ) STRICT;

    CREATE TABLE kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
  `);
}
