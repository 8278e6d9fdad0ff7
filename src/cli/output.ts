import { ParleyError } from '../wire/errors.js';

/** Prints data as JSON (for scripts) or as text lines (for people). */
export function emit(json: boolean, data: unknown, human: () => string | string[]): void {
  if (json) {
    process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    return;
  }
  const text = human();
  process.stdout.write((Array.isArray(text) ? text.join('\n') : text) + '\n');
}

/** Turns any failure into one sentence on stderr and an exit code; never a stack trace. */
export function fail(err: unknown): never {
  if (ParleyError.is(err)) {
    process.stderr.write(`parley: ${err.message}\n`);
    process.exit(1);
  }
  const code = (err as { code?: unknown })?.code;
  process.stderr.write(`parley: unexpected error${typeof code === 'string' ? ` (${code})` : ''}; run with PARLEY_DEBUG=1 for details\n`);
  if (process.env.PARLEY_DEBUG) console.error(err);
  process.exit(2);
}

let serving = false;

/** Long-running commands (run, relay, attestor, testnet, demo) call this once they serve. */
export function markServing(): void {
  serving = true;
}

/**
 * An error nobody awaited: a one-shot command fails with one sentence; a serving process (node,
 * relay, attestor) says so on stderr, without content, and keeps serving everyone else.
 */
export function onStray(err: unknown): void {
  if (!serving) fail(err);
  const what = ParleyError.is(err) ? err.code : ((err as { code?: unknown })?.code as string | undefined) ?? (err instanceof Error ? err.name : 'unknown');
  process.stderr.write(`parley: an internal operation failed (${what}); still running\n`);
  if (process.env.PARLEY_DEBUG) console.error(err);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
