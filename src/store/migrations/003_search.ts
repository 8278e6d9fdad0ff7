import type { Db } from '../types.js';

/**
 * Full-text search of history (FTS5, external content: the text lives once, in `messages`) and a
 * read marker per contact for unread counts. Triggers keep the index in step with `messages`.
 */
export function up(db: Db): void {
  db.exec(`
    CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2');
    INSERT INTO messages_fts (rowid, body) SELECT seq, body FROM messages;
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
      INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
    END;

    ALTER TABLE contacts ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0;
  `);
}
