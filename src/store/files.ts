import { join } from 'node:path';
import { stmt, type Db } from './db.js';

/**
 * A transfer's state. Sent: preparing (encrypting into the home) → offering (the offer waits for the
 * receiver's answer) → sending ⇄ waiting (nothing acknowledged for a while: the recipient is
 * offline, the rest waits in their relay mailbox or here) → complete. Received: receiving →
 * complete. Either may end cancelled, refused (the receiver said no, e.g. no room) or failed.
 */
export const FILE_STATES = ['preparing', 'offering', 'sending', 'waiting', 'receiving', 'complete', 'cancelled', 'refused', 'failed'] as const;
export type FileState = (typeof FILE_STATES)[number];
export const ACTIVE_STATES: readonly FileState[] = ['preparing', 'offering', 'sending', 'waiting', 'receiving'];

export interface FileRow {
  id: string;
  contact_id: string;
  direction: 'in' | 'out';
  name: string;
  size: number;
  mime: string;
  hash: string;
  key: Buffer;
  header: Buffer;
  chunk_size: number;
  chunks: number;
  done: number;
  pull_state: Buffer | null;
  state: FileState;
  reason: string | null;
  created_at: number;
  updated_at: number;
  /** Migration 009 (file-extras.ts): the thumbnail, whether a sent image's metadata was removed, the timer. */
  thumb?: Buffer | null;
  metadata?: 'removed' | 'kept' | null;
  ttl?: number | null;
  expires_at?: number | null;
}

export type NewFile = Omit<FileRow, 'done' | 'pull_state' | 'reason' | 'updated_at'>;

/** Where a transfer's chunks live: the home's files folder, still encrypted with the file key. */
export function filePath(home: string, id: string): string {
  return join(home, 'files', `${id}.enc`);
}

export function insertFile(db: Db, f: NewFile): boolean {
  const r = stmt(
    db,
    `INSERT OR IGNORE INTO files (id, contact_id, direction, name, size, mime, hash, key, header, chunk_size, chunks, state, created_at, updated_at)
     VALUES (@id, @contact_id, @direction, @name, @size, @mime, @hash, @key, @header, @chunk_size, @chunks, @state, @created_at, @created_at)`,
  ).run(f);
  return r.changes === 1;
}

export function getFile(db: Db, id: string): FileRow | undefined {
  return stmt(db, 'SELECT * FROM files WHERE id = ?').get(id) as FileRow | undefined;
}

/** Every transfer, newest first (or one contact's). */
export function listFiles(db: Db, contactId?: string, limit = 200): FileRow[] {
  if (contactId) return stmt(db, 'SELECT * FROM files WHERE contact_id = ? ORDER BY created_at DESC LIMIT ?').all(contactId, limit) as FileRow[];
  return stmt(db, 'SELECT * FROM files ORDER BY created_at DESC LIMIT ?').all(limit) as FileRow[];
}

/** Transfers still under way (to resume after a restart). */
export function activeFiles(db: Db): FileRow[] {
  return stmt(db, `SELECT * FROM files WHERE state IN ('preparing', 'offering', 'sending', 'waiting', 'receiving') ORDER BY created_at`).all() as FileRow[];
}

export function setFileState(db: Db, id: string, state: FileState, reason: string | null, now: number): void {
  stmt(db, 'UPDATE files SET state = ?, reason = ?, updated_at = ? WHERE id = ?').run(state, reason, now, id);
}

/** A sent file's progress: chunks the receiver acknowledged (never goes back). */
export function setFileAcked(db: Db, id: string, have: number, now: number): void {
  stmt(db, 'UPDATE files SET done = max(done, ?), updated_at = ? WHERE id = ?').run(have, now, id);
}

/** A received file's progress: chunks held in order, and the secretstream state after them. */
export function setFileReceived(db: Db, id: string, done: number, pullState: Buffer, now: number): void {
  stmt(db, 'UPDATE files SET done = ?, pull_state = ?, updated_at = ? WHERE id = ?').run(done, pullState, now, id);
}

/** What a prepared (encrypted) sent file learned: its hash, header and chunk count. */
export function setFilePrepared(db: Db, id: string, p: { hash: string; header: Buffer; chunks: number; size: number }, now: number): void {
  stmt(db, `UPDATE files SET hash = ?, header = ?, chunks = ?, size = ?, state = 'offering', updated_at = ? WHERE id = ?`).run(
    p.hash,
    p.header,
    p.chunks,
    p.size,
    now,
    id,
  );
}
