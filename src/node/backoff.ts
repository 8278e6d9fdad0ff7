export interface RetryPolicy {
  /** Wait after the first failed or unacknowledged attempt. */
  baseMs: number;
  /** Longest wait between attempts. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 30_000 };

/** Exponential backoff with ±20% jitter, so many senders do not retry in lockstep. */
export function nextDelay(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts, 20));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
