import type { Db } from '../types.js';

/**
 * Everyday messaging: what kind a conversation entry is (a text, a change of the disappearing
 * timer, or the tombstone of a message deleted for everyone), the message a reply quotes, when a
 * disappearing message is deleted, each conversation's timer, and the name a stranger offered with
 * their request (unverified).
 *
 * `in_seq_floor` keeps the highest sequence number (`n`) of an incoming message that was deleted
 * (expired, deleted for me, conversation cleared), so the receiver's order check does not wait for
 * a message it already had. The search index deletes for real (FTS5 `secure-delete`): without it a
 * deleted message's words stay in the index's older segments until a merge.
 */
export function up(db: Db): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'timer', 'deleted'));
    ALTER TABLE messages ADD COLUMN reply_to TEXT;
    ALTER TABLE messages ADD COLUMN quote TEXT;
    ALTER TABLE messages ADD COLUMN ttl INTEGER;
    ALTER TABLE messages ADD COLUMN expires_at INTEGER;
    CREATE INDEX messages_expiring ON messages(expires_at) WHERE expires_at IS NOT NULL;
    CREATE INDEX messages_replies ON messages(reply_to) WHERE reply_to IS NOT NULL;

    ALTER TABLE contacts ADD COLUMN disappear_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE contacts ADD COLUMN disappear_set_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE contacts ADD COLUMN offered_name TEXT;
    ALTER TABLE contacts ADD COLUMN in_seq_floor INTEGER NOT NULL DEFAULT 0;

    CREATE TRIGGER messages_in_gone AFTER DELETE ON messages WHEN old.direction = 'in' BEGIN
      UPDATE contacts SET in_seq_floor = max(in_seq_floor, old.conv_seq) WHERE id = old.contact_id;
    END;

    INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);
  `);
}
