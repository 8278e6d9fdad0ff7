import { createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasync, mkdirSync, openSync, writev } from 'node:fs';
import { dirname } from 'node:path';
import { filePath, relaxedTx, setFileReceived, writeTx, type Db, type FileRow } from '../store/index.js';
import { CHUNK_OVERHEAD } from '../wire/file-content.js';
import { pullChunk, readChunk, startPull } from './files-crypto.js';

/** Chunks taken are written together once this many bytes of them wait (one writev, not one write each). */
const WRITE_RUN_BYTES = 1024 * 1024;

/** What one chunk did: taken (held, in order), out of place (a repeat or ahead of a gap) or refused (it does not open). */
export type Took = 'taken' | 'out-of-place' | 'refused';

/**
 * One file being received, open between chunks: its encrypted copy (an fd kept open, written in
 * libuv's pool so the event loop goes on opening chunks while the disk catches up; consecutive
 * chunks go in runs of up to a MiB, one writev each, since every write handed to the pool costs
 * the event loop a wake-up of a pool thread), the secretstream
 * state and the running SHA-256 of the plaintext, all in memory. Progress reaches the database in
 * batches (`flush`: the chunks written and synced first, then `done` and the state in one write), so
 * a crash loses at most the chunks since the last batch, which the sender still holds.
 */
export class Rx {
  /** The row as it was opened (its state is 'receiving' for as long as this is open). */
  readonly row: FileRow;
  readonly id: string;
  readonly chunks: number;
  readonly #fd: number;
  #state: Buffer;
  readonly #hash: Hash;
  /** Chunks held in order (in memory), those a flush was asked for, and those the database records. */
  done: number;
  asked: number;
  saved: number;
  /** Chunks taken and not yet handed to the disk: consecutive, from index `#runAt`. */
  #run: Buffer[] = [];
  #runAt = 0;
  #runBytes = 0;
  /** Chunk writes not yet finished (by the index of a run's first chunk), and what waits for them. */
  readonly #writing = new Set<number>();
  #waiters: Array<{ upTo: number; resolve: () => void }> = [];
  #writeError: NodeJS.ErrnoException | null = null;
  /** Writes and syncs in flight: the fd is closed only once none is (it must not be reused under them). */
  #io = 0;
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();
  /** Where each chunk's plaintext goes to be hashed (it is kept nowhere). */
  #plain: Buffer | null = null;

  private constructor(row: FileRow, fd: number, state: Buffer, hash: Hash) {
    this.row = row;
    this.id = row.id;
    this.chunks = row.chunks;
    this.#fd = fd;
    this.#state = state;
    this.#hash = hash;
    this.done = this.asked = this.saved = row.done;
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
    return new Rx(row, openSync(path, row.done === 0 ? 'w' : 'r+', 0o600), state, hash);
  }

  /** Takes chunk `i` if it is the next one and opens with the file's stream (the state moves only then). */
  take(i: number, d: Buffer): Took {
    if (i !== this.done) return 'out-of-place';
    const state = Buffer.from(this.#state); // advanced on a copy: a chunk that does not open changes nothing
    const opened = pullChunk(state, d, (this.#plain ??= Buffer.allocUnsafe(this.row.chunk_size)));
    if (!opened || opened.final !== (i === this.chunks - 1) || opened.plain.length !== this.#plainLength(i)) return 'refused';
    this.#hash.update(opened.plain);
    this.#state = state;
    this.done++;
    if (this.#run.length === 0) this.#runAt = i;
    this.#run.push(d);
    this.#runBytes += d.length;
    if (this.#runBytes >= WRITE_RUN_BYTES) this.#writeRun();
    return 'taken';
  }

  /** Hands the chunks taken since the last run to libuv's pool, in one writev at the first one's place. */
  #writeRun(): void {
    if (this.#run.length === 0) return;
    const [run, at] = [this.#run, this.#runAt];
    this.#run = [];
    this.#runBytes = 0;
    this.#writing.add(at);
    this.#io++;
    writev(this.#fd, run, at * (this.row.chunk_size + CHUNK_OVERHEAD), (err) => {
      this.#writing.delete(at);
      if (err) this.#writeError ??= err;
      this.#ioDone();
      this.#wakeWaiters();
    });
  }

  get whole(): boolean {
    return this.done === this.chunks;
  }

  /** The plaintext's SHA-256 (hex); only once whole. */
  digest(): string {
    return this.#hash.copy().digest('hex');
  }

  /**
   * Writes, syncs and records every chunk taken so far (after any flush asked before); resolves true
   * when it recorded more, false when there was nothing new or the file closed. `durable`: the record
   * commits with an fsync of its own; else without (a batch: the Signal ack that follows commits with
   * one, so the record is durable before the sender hears of it). Rejects when the disk failed.
   */
  flush(db: Db, now: () => number, durable = false): Promise<boolean> {
    this.asked = this.done;
    const run = this.#chain.then(() => this.#flushOnce(db, now, durable));
    this.#chain = run.catch(() => {});
    return run;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#io === 0) closeSync(this.#fd);
  }

  async #flushOnce(db: Db, now: () => number, durable: boolean): Promise<boolean> {
    if (this.#closed || this.saved >= this.done) return false;
    const upTo = this.done;
    const state = Buffer.from(this.#state);
    this.#writeRun();
    await new Promise<void>((resolve) => {
      this.#waiters.push({ upTo, resolve });
      this.#wakeWaiters();
    });
    if (this.#writeError) throw this.#writeError;
    if (this.#closed) return false;
    this.#io++;
    await new Promise<void>((resolve, reject) => fdatasync(this.#fd, (err) => (this.#ioDone(), err ? reject(err) : resolve())));
    if (this.#closed) return false;
    const write = () => setFileReceived(db, this.id, upTo, state, now());
    if (durable) writeTx(db, write);
    else relaxedTx(db, write);
    this.saved = upTo;
    return true;
  }

  #wakeWaiters(): void {
    if (this.#waiters.length === 0) return;
    let lowest = Infinity;
    for (const i of this.#writing) lowest = Math.min(lowest, i);
    const ready = this.#waiters.filter((w) => lowest >= w.upTo || this.#writeError);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  #ioDone(): void {
    if (--this.#io === 0 && this.#closed) closeSync(this.#fd);
  }

  #plainLength(i: number): number {
    return Math.min(this.row.chunk_size, Math.max(0, this.row.size - i * this.row.chunk_size));
  }
}
