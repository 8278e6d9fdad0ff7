import type { Logger } from 'pino';
import { getKv, setKv, writeTx, type Db } from '../store/index.js';
import type { Content } from '../wire/content.js';
import { describeError } from '../wire/errors.js';

/** Where the deletes for everyone that still have to reach the contact wait (JSON: [{ to, x }]). */
const KEY = 'files.deletesPending';

export interface FileDeletesComponents {
  db: Db;
  logger: Logger;
  /** Sends a content along the contact's route; rejects when it could not go. */
  send: (to: string, content: Content) => Promise<unknown>;
}

/**
 * Deletes for everyone of files I sent: kept in the store until the contact confirms (they answer
 * a file-delete with a file-cancel, whether they still had the file or not), sent again every
 * `retryMs` and after a restart, so a contact who is away, or a direct link that dropped the
 * delete, still ends with their copy gone.
 */
export class FileDeletes {
  readonly #c: FileDeletesComponents;
  readonly #retryMs: number;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(c: FileDeletesComponents, init: { retryMs?: number } = {}) {
    this.#c = c;
    this.#retryMs = init.retryMs ?? 5_000;
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#retryMs);
    this.#timer.unref();
    void this.flush();
  }

  stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return this.#flushing ?? Promise.resolve();
  }

  /** Asks the contact to delete file `x`; sent now if it can go, else later. */
  add(to: string, x: string): void {
    writeTx(this.#c.db, () => this.#write([...this.pending().filter((p) => p.x !== x), { to, x }]));
    if (this.#timer) void this.flush();
  }

  pending(): Array<{ to: string; x: string }> {
    try {
      return JSON.parse(getKv(this.#c.db, KEY) ?? '[]') as Array<{ to: string; x: string }>;
    } catch {
      return [];
    }
  }

  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = null));
    return this.#flushing;
  }

  /** The contact answered: their copy is gone. */
  confirmed(from: string, x: string): void {
    if (!this.pending().some((p) => p.to === from && p.x === x)) return;
    writeTx(this.#c.db, () => this.#write(this.pending().filter((p) => !(p.to === from && p.x === x))));
  }

  async #flush(): Promise<void> {
    for (const p of this.pending()) {
      try {
        await this.#c.send(p.to, { v: 1, t: 'file-delete', x: p.x });
      } catch (err) {
        this.#c.logger.info({ err: describeError(err) }, 'a file deleted for everyone waits until the contact can be reached');
      }
    }
  }

  #write(list: Array<{ to: string; x: string }>): void {
    setKv(this.#c.db, KEY, JSON.stringify(list));
  }
}
