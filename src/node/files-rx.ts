import { createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { filePath, setFileReceived, writeTx, type Db, type FileRow } from '../store/index.js';
import { CHUNK_OVERHEAD } from '../wire/file-content.js';
import { pullChunk, readChunk, startPull } from './files-crypto.js';

/** What one chunk did: taken (held, in order), out of place (a repeat or ahead of a gap) or refused (it does not open). */
export type Took = 'taken' | 'out-of-place' | 'refused';

/**
 * One file being received, open between chunks: its encrypted copy (an fd kept open), the
 * secretstream state and the running SHA-256 of the plaintext, all in memory. Progress reaches the
 * database in batches (`persist`: the chunks synced to disk first, then `done` and the state in one
 * write), so a crash loses at most the chunks since the last batch, which the sender still holds.
 */
export class Rx {
  readonly id: string;
  readonly chunks: number;
  readonly #size: number;
  readonly #chunkSize: number;
  readonly #fd: number;
  #state: Buffer;
  readonly #hash: Hash;
  /** Chunks held in order (in memory), and those of them the database records. */
  done: number;
  saved: number;

  private constructor(row: FileRow, fd: number, state: Buffer, hash: Hash, done: number) {
    this.id = row.id;
    this.chunks = row.chunks;
    this.#size = row.size;
    this.#chunkSize = row.chunk_size;
    this.#fd = fd;
    this.#state = state;
    this.#hash = hash;
    this.done = this.saved = done;
  }

  /**
   * Opens a transfer where the database left it. After a restart the running hash is rebuilt from
   * the chunks already on disk (decrypted again, which also proves them intact); null if they are not.
   */
  static open(home: string, row: FileRow): Rx | null {
    const path = filePath(home, row.id);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const state = startPull(row.key, row.header);
    const hash = createHash('sha256');
    for (let i = 0; i < row.done; i++) {
      let opened: ReturnType<typeof pullChunk> = null;
      try {
        opened = pullChunk(state, readChunk(path, i, row.size, row.chunk_size));
      } catch {
        // a missing or short copy: as damaged as one that does not open
      }
      if (!opened || opened.final) return null;
      hash.update(opened.plain);
    }
    return new Rx(row, openSync(path, row.done === 0 ? 'w' : 'r+', 0o600), state, hash, row.done);
  }

  /** Takes chunk `i` if it is the next one and opens with the file's stream (the state moves only then). */
  take(i: number, d: Uint8Array): Took {
    if (i !== this.done) return 'out-of-place';
    const state = Buffer.from(this.#state); // advanced on a copy: a chunk that does not open changes nothing
    const opened = pullChunk(state, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    if (!opened || opened.final !== (i === this.chunks - 1) || opened.plain.length !== this.#plainLength(i)) return 'refused';
    writeSync(this.#fd, d, 0, d.byteLength, i * (this.#chunkSize + CHUNK_OVERHEAD));
    this.#hash.update(opened.plain);
    this.#state = state;
    this.done++;
    return 'taken';
  }

  get whole(): boolean {
    return this.done === this.chunks;
  }

  /** The plaintext's SHA-256 (hex); only once whole. */
  digest(): string {
    return this.#hash.copy().digest('hex');
  }

  /** Syncs the chunks taken since the last batch to disk, then records them; false when there were none. */
  persist(db: Db, now: number): boolean {
    if (this.saved === this.done) return false;
    fdatasyncSync(this.#fd);
    const done = this.done;
    const state = Buffer.from(this.#state);
    writeTx(db, () => setFileReceived(db, this.id, done, state, now));
    this.saved = done;
    return true;
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // closed already
    }
  }

  #plainLength(i: number): number {
    return Math.min(this.#chunkSize, Math.max(0, this.#size - i * this.#chunkSize));
  }
}
