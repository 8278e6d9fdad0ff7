import type { Db } from '../types.js';

/**
 * What a file carries beside its bytes: an image's thumbnail (WebP, made by the sender, at most
 * 16 KiB; kept in the database so it is encrypted at rest with it and goes with the row), whether a
 * sent image's metadata was removed (`removed`) or kept at the sender's choice (`kept`; null when
 * the file is not an image), and the disappearing timer it was sent under with when it runs out
 * (the file's bytes, its thumbnail and its row then go, like a message's words).
 */
export function up(db: Db): void {
  db.exec(`
    ALTER TABLE files ADD COLUMN thumb BLOB;
    ALTER TABLE files ADD COLUMN metadata TEXT CHECK (metadata IN ('removed', 'kept'));
    ALTER TABLE files ADD COLUMN ttl INTEGER;
    ALTER TABLE files ADD COLUMN expires_at INTEGER;
    CREATE INDEX files_expiring ON files(expires_at) WHERE expires_at IS NOT NULL;
  `);
}
