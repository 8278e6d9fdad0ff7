/**
 * How many one-time bundles each requester may have minted in a sliding window, remembering at most
 * `maxRequesters` of them (the oldest is forgotten first). In memory: the store's own bound
 * (PREKEY_POLICY.maxOneTime) is what holds across restarts.
 */
export class MintLimiter {
  readonly #seen = new Map<string, number[]>();

  constructor(private readonly limits: { perRequester: number; windowMs: number; maxRequesters: number }) {}

  /** Records a mint for `requester` at `now` if it is within its share; false when it is not. */
  take(requester: string, now: number): boolean {
    const recent = (this.#seen.get(requester) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (recent.length >= this.limits.perRequester) {
      this.#seen.set(requester, recent);
      return false;
    }
    recent.push(now);
    this.#seen.delete(requester); // re-insert: the map's order is least recently active first
    this.#seen.set(requester, recent);
    while (this.#seen.size > this.limits.maxRequesters) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }
}
