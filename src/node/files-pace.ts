/**
 * Paces chunks on relayed routes below what a relay allows one connection (1 MiB/s, bursts of
 * 4 MiB by default: src/relay/limits.ts): a client that goes over is refused, and one that keeps
 * going loses its connection. Waits instead of refusing; the clock and sleep are injectable.
 */
export class Pace {
  #tokens: number;
  #at: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  /** Resolves once `cost` bytes may go (at once within the burst). */
  async take(cost: number): Promise<void> {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) / 1000) * this.perSecond);
    this.#at = t;
    this.#tokens -= cost;
    if (this.#tokens >= 0) return;
    await new Promise((r) => setTimeout(r, Math.ceil((-this.#tokens / this.perSecond) * 1000)));
  }
}
