import { inspect } from 'node:util';

/** What `until` waits for: a probe that answers "not yet" with false, undefined or null (or by throwing). */
export type Probe<T> = () => T | Promise<T>;

const describe = (what: string | (() => string)) => (typeof what === 'string' ? what : what());

/**
 * Polls `condition` until it answers something other than false, undefined or null, and returns
 * that answer. On timeout it throws one sentence: what it waited for (a function is called then,
 * so it can say how things stand) and what the probe last answered or threw.
 *
 * Wait for a positive signal with it (a counter reached, a row arrived, a later message that
 * proves an earlier one was handled); never sleep and then assert that nothing happened.
 */
export async function until<T>(condition: Probe<T>, whatItWaitsFor: string | (() => string), ms = 30_000): Promise<Exclude<T, false | undefined | null>> {
  const end = Date.now() + ms;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  for (let tries = 1; ; tries++) {
    try {
      const value = await condition();
      if (value !== false && value !== undefined && value !== null) return value as Exclude<T, false | undefined | null>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > end) {
      const saw = 'error' in last ? `it threw ${last.error instanceof Error ? last.error.message : inspect(last.error)}` : `it answered ${inspect(last.value)}`;
      throw new Error(`Timed out after ${ms} ms waiting for ${describe(whatItWaitsFor)}; ${saw}.`);
    }
    await new Promise((r) => setTimeout(r, Math.min(50, 5 * tries))); // quick at first, then gentle on a loaded machine
  }
}
