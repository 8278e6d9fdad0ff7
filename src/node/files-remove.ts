import { rmSync } from 'node:fs';
import { conversationFiles, deleteFiles, expiredFiles, filePath, getFile, scrub, writeTx, type Db } from '../store/index.js';

export interface RemovedFile {
  id: string;
  contact_id: string;
}

export interface FileRemovalComponents {
  db: Db;
  home: string;
  /** Files went for good (the UI drops them). */
  removed: (files: RemovedFile[]) => void;
}

/*
 * Files go with their conversation's words: when a file's disappearing timer runs out, when it is
 * deleted (for me, or by its sender for everyone) and when its conversation is cleared, its row
 * (key, thumbnail, progress) goes in one transaction, then its bytes from the home (a whole file or
 * a partial download: both are the same `.enc` file), then the WAL is checkpointed so no copy of the
 * row stays there (`secure_delete` zeroes the freed pages).
 */
export class FileRemoval {
  readonly #c: FileRemovalComponents;

  constructor(c: FileRemovalComponents) {
    this.#c = c;
  }

  /** Removes these files from this device; returns those that were there. */
  remove(files: readonly RemovedFile[]): RemovedFile[] {
    const { db, home } = this.#c;
    if (!files.length) return [];
    const gone = new Set(
      writeTx(db, () =>
        deleteFiles(
          db,
          files.map((f) => f.id),
        ),
      ),
    );
    const removed = files.filter((f) => gone.has(f.id));
    for (const f of files) rmSync(filePath(home, f.id), { force: true });
    scrub(db);
    if (removed.length) this.#c.removed(removed);
    return removed;
  }

  /** Files whose timer ran out by `now` (by the disappearing clock); returns how many went. */
  expire(now: number): number {
    let n = 0;
    for (let batch = expiredFiles(this.#c.db, now); batch.length; batch = expiredFiles(this.#c.db, now)) {
      const gone = this.remove(batch).length;
      if (!gone) break;
      n += gone;
    }
    return n;
  }

  clearConversation(contactId: string): number {
    return this.remove(conversationFiles(this.#c.db, contactId)).length;
  }

  /**
   * The contact deleted a file they sent me for everyone; true when they should be told it is gone
   * here (it was theirs, or it is not here at all: an answer lost before), false for anything else.
   */
  deletedBySender(from: string, id: string): boolean {
    const row = getFile(this.#c.db, id);
    if (row && (row.contact_id !== from || row.direction !== 'in')) return false;
    if (row) this.remove([row]);
    return true;
  }
}
