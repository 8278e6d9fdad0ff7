import type { Logger } from 'pino';
import type { E2E } from '../e2e/index.js';
import { describeError } from '../wire/errors.js';

export interface PrekeyScheduleComponents {
  e2e: E2E;
  logger: Logger;
  /** The published bundle names replaced keys: put the current one where strangers fetch it. */
  publish: () => Promise<void>;
}

/**
 * Rotates the signed and last-resort prekeys on schedule (the E2E's clock decides what is due) and
 * publishes the bundle again after a rotation; a failed publish is tried again on the next tick.
 */
export class PrekeySchedule {
  readonly #c: PrekeyScheduleComponents;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(c: PrekeyScheduleComponents, init: { intervalMs?: number } = {}) {
    this.#c = c;
    this.#intervalMs = init.intervalMs ?? 3600_000;
  }

  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async tick(): Promise<void> {
    try {
      if (await this.#c.e2e.rotatePrekeys()) await this.#c.publish();
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'prekey rotation or its publishing failed; will retry');
    }
  }
}
