export type Clock = () => number;

/**
 * A token bucket that may run into debt: within the burst a request passes (`ok`), beyond it the
 * request is refused (`limited`) and still costs, and a client that keeps going until its debt
 * exceeds another burst is flooding (`flood`) and loses its connection.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: Clock,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  /** `t`: the time now, when the caller already read the clock for this request. */
  take(cost = 1, t = this.now()): 'ok' | 'limited' | 'flood' {
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) / 1000) * this.perSecond);
    this.#at = t;
    this.#tokens -= cost;
    if (this.#tokens >= 0) return 'ok';
    return this.#tokens < -this.burst ? 'flood' : 'limited';
  }
}
