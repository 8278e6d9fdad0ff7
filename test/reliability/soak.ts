/**
 * Reliability tests run small in `npm test` and long under `npm run soak` (SOAK=1): every count a
 * test uses goes through `scale`, so the same files, with the same checks, run both ways.
 */
export const SOAK = process.env.SOAK === '1';

/** `fast` in `npm test`, `soak` under `npm run soak`. */
export function scale(fast: number, soak: number): number {
  return SOAK ? soak : fast;
}

/** A timeout that grows with the soak counts. */
export function budget(fastMs: number, soakMs: number): number {
  return SOAK ? soakMs : fastMs;
}

/** The seed fast-check runs with: fixed by PARLEY_SEED to replay a failure, random otherwise (printed on failure). */
export const SEED = process.env.PARLEY_SEED ? Number(process.env.PARLEY_SEED) : undefined;
/** With PARLEY_PATH too (fast-check prints both on failure), only the failing run is replayed. */
export const fcParams = (numRuns: number) => ({
  numRuns,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  ...(SEED !== undefined && process.env.PARLEY_PATH ? { path: process.env.PARLEY_PATH } : {}),
});

/**
 * Collects every unhandled rejection and uncaught exception while a test runs, so a test can fail
 * on them (vitest alone reports them only after the run).
 */
export function watchProcess() {
  const problems: string[] = [];
  const onRejection = (reason: unknown) => problems.push(`unhandledRejection: ${explain(reason)}`);
  const onException = (err: unknown) => problems.push(`uncaughtException: ${explain(err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    problems,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

function explain(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
