import { relaxedTx, writeTx, type Db } from '../store/index.js';

/**
 * The store writes of one libsignal operation (encrypt, decrypt, starting a session), held back and
 * applied together in one SQLite transaction when the operation succeeds, dropped when it fails.
 * libsignal calls several stores in turn; written one by one, a failure or a crash between them left
 * half an operation behind (say, a first-contact base key marked seen with no session saved, so the
 * sender's resend was refused as a replay forever). Reads during the operation see its own writes.
 */
export class WriteBatch {
  readonly #overlay = new Map<string, Buffer | null>();
  readonly #writes: Array<() => void> = [];
  /** Run once the transaction committed (the stores' memory caches), never after a rollback. */
  readonly #afterCommit: Array<() => void> = [];

  has(key: string): boolean {
    return this.#overlay.has(key);
  }
  /** The value written under `key` in this batch (null: deleted). */
  get(key: string): Buffer | null | undefined {
    return this.#overlay.get(key);
  }
  put(key: string, value: Buffer | null, write: () => void, afterCommit?: () => void): void {
    this.#overlay.set(key, value);
    this.#writes.push(write);
    if (afterCommit) this.#afterCommit.push(afterCommit);
  }
  /** A write of the caller's own (say, the message just decrypted), stored in the same transaction. */
  also(write: () => void): void {
    this.#writes.push(write);
  }
  /** Commit without an fsync (see `relaxedTx`): only for writes a repeat recovers. */
  relaxed = false;
  commit(db: Db): void {
    if (!this.#writes.length) return;
    const all = () => this.#writes.forEach((w) => w());
    if (this.relaxed) relaxedTx(db, all);
    else writeTx(db, all);
    this.#afterCommit.forEach((f) => f());
  }
}

/** Shared by an E2E and its stores: the batch of the operation under way, if any. */
export class BatchSlot {
  current: WriteBatch | null = null;

  /** Runs `write` now, or as part of the current batch under `key` with `value` for reads; `afterCommit` once it is stored. */
  write(key: string, value: Buffer | null, write: () => void, afterCommit?: () => void): void {
    if (this.current) this.current.put(key, value, write, afterCommit);
    else {
      write();
      afterCommit?.();
    }
  }

  /** The batch's value for `key` if it wrote one, else what `fromDb` reads. */
  read(key: string, fromDb: () => Buffer | null): Buffer | null {
    if (this.current?.has(key)) return this.current.get(key) ?? null;
    return fromDb();
  }
}
