import { createHmac, randomBytes } from 'node:crypto';

/**
 * A fixed-window counter per key: at most `limit` units per key per window, counts kept only for
 * the current window. With `blindKeys`, keys are stored as an HMAC under a secret that is drawn
 * afresh each window and then dropped, so a key derived from a person (a lookup key) cannot be
 * recognised in memory once its window is over, not even by this process.
 */
export class WindowLimiter {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #blind: boolean;
  #windowStart = -Infinity;
  #secret = randomBytes(32);
  /** Refusals since start, for counters. */
  refused = 0;

  constructor(opts: { limit: number; windowMs: number; now: () => number; blindKeys?: boolean }) {
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now;
    this.#blind = opts.blindKeys ?? false;
  }

  /** Counts `units` against `key`; false (and nothing counted) when that would pass the limit. */
  take(key: string | Buffer, units = 1): boolean {
    this.#roll();
    const k = this.#blind ? createHmac('sha256', this.#secret).update(key).digest('base64') : String(key);
    const used = this.#counts.get(k) ?? 0;
    if (used + units > this.#limit) {
      this.refused++;
      return false;
    }
    this.#counts.set(k, used + units);
    return true;
  }

  #roll(): void {
    const now = this.#now();
    if (now - this.#windowStart < this.#windowMs) return;
    this.#windowStart = now;
    this.#counts.clear();
    this.#secret = randomBytes(32);
  }
}
