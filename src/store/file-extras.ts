import { stmt, type Db } from './db.js';

/*
 * What a file carries beside its bytes (migration 008): an image's thumbnail, whether a sent
 * image's metadata was removed, and the disappearing timer it goes by. Deleting a file for good
 * (its timer ran out, it was deleted, its conversation was cleared) removes its row; the caller
 * removes its bytes from the home and `scrub`s the WAL.
 */

export type FileMetadata = 'removed' | 'kept';

export interface FileExtras {
  thumb: Buffer | null;
  metadata: FileMetadata | null;
  ttl: number | null;
  expires_at: number | null;
}

export function setFileExtras(db: Db, id: string, e: FileExtras): void {
  stmt(db, 'UPDATE files SET thumb = ?, metadata = ?, ttl = ?, expires_at = ? WHERE id = ?').run(e.thumb, e.metadata, e.ttl, e.expires_at, id);
}

export function fileExtras(db: Db, id: string): FileExtras | undefined {
  return stmt(db, 'SELECT thumb, metadata, ttl, expires_at FROM files WHERE id = ?').get(id) as FileExtras | undefined;
}

/** A file's thumbnail (WebP), if it has one. */
export function fileThumb(db: Db, id: string): Buffer | null {
  return (stmt(db, 'SELECT thumb FROM files WHERE id = ?').pluck().get(id) as Buffer | null | undefined) ?? null;
}

/** Files whose disappearing timer ran out by `now`. */
export function expiredFiles(db: Db, now: number, limit = 1000): Array<{ id: string; contact_id: string }> {
  return stmt(db, 'SELECT id, contact_id FROM files WHERE expires_at <= ? ORDER BY expires_at LIMIT ?').all(now, limit) as Array<{
    id: string;
    contact_id: string;
  }>;
}

/** Every file of one conversation. */
export function conversationFiles(db: Db, contactId: string): Array<{ id: string; contact_id: string }> {
  return stmt(db, 'SELECT id, contact_id FROM files WHERE contact_id = ?').all(contactId) as Array<{ id: string; contact_id: string }>;
}

/** Removes file rows (key, thumbnail, progress); returns the IDs that were there. */
export function deleteFiles(db: Db, ids: readonly string[]): string[] {
  return ids.filter((id) => stmt(db, 'DELETE FROM files WHERE id = ?').run(id).changes === 1);
}
