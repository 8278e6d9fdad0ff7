import type { Logger } from 'pino';
import { describeError } from '../wire/errors.js';
import { deleteMessages, expiredIds, scrub, writeTx, type Db, type Removed } from '../store/index.js';

export interface DisappearingComponents {
  db: Db;
  /** The clock the timers are read by (tests move it forward instead of waiting a week). */
  now: () => number;
  logger: Logger;
  onRemoved: (removed: Removed[]) => void;
  /** Files whose timer ran out go too (files-remove.ts); returns how many went. */
  expireFiles?: (now: number) => number;
}

/**
 * Deletes messages whose disappearing timer ran out: from the messages table, the search index and
 * replies' quotes in one transaction, then from the WAL (scrub). Looks once a `tickMs` (an indexed
 * probe), so a clock moved forward is noticed within a tick, and a message past its time when the
 * node starts goes at once. Files sent under a timer go the same way (their bytes and thumbnail too).
 */
export class Disappearing {
  readonly #c: DisappearingComponents;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #dirty = false;

  constructor(components: DisappearingComponents, init: { tickMs?: number } = {}) {
    this.#c = components;
    this.#tickMs = init.tickMs ?? 1000;
  }

  start(): void {
    this.sweep();
    this.#timer = setInterval(() => this.sweep(), this.#tickMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Deletes what ran out by now; returns how many messages went. */
  sweep(): number {
    const { db } = this.#c;
    let removed: Removed[] = [];
    try {
      for (let ids = expiredIds(db, this.#c.now()); ids.length; ids = expiredIds(db, this.#c.now())) {
        removed = removed.concat(writeTx(db, () => deleteMessages(db, ids)));
      }
      // A reader holding the WAL (a command reading the store) makes the checkpoint wait: try next tick.
      if (removed.length || this.#dirty) this.#dirty = !scrub(db);
      this.#c.expireFiles?.(this.#c.now());
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'could not delete disappearing messages; trying again');
    }
    if (removed.length) this.#c.onRemoved(removed);
    return removed.length;
  }
}
