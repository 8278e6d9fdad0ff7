import type { Db } from '../types.js';

/**
 * Every query a person waits for reads a bounded slice, however long the history: the outbox names
 * its message's contact and order (the delivery loop reads the outbox alone), partial indexes find a
 * contact's newest incoming and newest routed message, and `contact_summary` keeps each contact's
 * unread count, maintained by triggers in the transaction that changes messages or the read marker.
 */
export function up(db: Db): void {
  db.exec(`
    ALTER TABLE outbox ADD COLUMN contact_id TEXT;
    ALTER TABLE outbox ADD COLUMN seq INTEGER;
    UPDATE outbox SET (contact_id, seq) = (SELECT contact_id, seq FROM messages WHERE id = outbox.message_id);
    CREATE INDEX outbox_due ON outbox(next_attempt_at, contact_id);
    CREATE INDEX outbox_by_contact ON outbox(contact_id, seq);

    CREATE INDEX messages_in_by_contact ON messages(contact_id, seq) WHERE direction = 'in';
    CREATE INDEX messages_routed ON messages(contact_id, direction, seq) WHERE route IS NOT NULL;

    CREATE TABLE contact_summary (
      contact_id TEXT PRIMARY KEY,
      unread INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    INSERT INTO contact_summary (contact_id, unread)
      SELECT c.id, (SELECT count(*) FROM messages m WHERE m.contact_id = c.id AND m.direction = 'in' AND m.seq > c.last_read_seq) FROM contacts c;
    CREATE TRIGGER contact_summary_added AFTER INSERT ON contacts BEGIN
      INSERT OR IGNORE INTO contact_summary (contact_id) VALUES (new.id);
    END;
    CREATE TRIGGER contact_summary_removed AFTER DELETE ON contacts BEGIN
      DELETE FROM contact_summary WHERE contact_id = old.id;
    END;
    CREATE TRIGGER contact_summary_arrived AFTER INSERT ON messages WHEN new.direction = 'in' BEGIN
      UPDATE contact_summary SET unread = unread + 1
        WHERE contact_id = new.contact_id AND new.seq > (SELECT last_read_seq FROM contacts WHERE id = new.contact_id);
    END;
    CREATE TRIGGER contact_summary_deleted AFTER DELETE ON messages WHEN old.direction = 'in' BEGIN
      UPDATE contact_summary SET unread = unread - 1
        WHERE contact_id = old.contact_id AND old.seq > (SELECT last_read_seq FROM contacts WHERE id = old.contact_id);
    END;
    CREATE TRIGGER contact_summary_read AFTER UPDATE OF last_read_seq ON contacts BEGIN
      UPDATE contact_summary
        SET unread = (SELECT count(*) FROM messages WHERE contact_id = new.id AND direction = 'in' AND seq > new.last_read_seq)
        WHERE contact_id = new.id;
    END;
  `);
}
