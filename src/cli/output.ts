import { ParleyError } from '../wire/errors.js';
import { withHint } from './hints.js';

/** Prints data as JSON (for scripts) or as text lines (for people). */
export function emit(json: boolean, data: unknown, human: () => string | string[]): void {
  if (json) {
    process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    return;
  }
  const text = human();
  process.stdout.write((Array.isArray(text) ? text.join('\n') : text) + '\n');
}

/** Whether this command line asked for JSON (errors are printed as JSON too, before options are parsed or after). */
const wantsJson = () => process.argv.slice(2).includes('--json');

/**
 * Turns any failure into one sentence on stderr and an exit code; never a stack trace. With `--json`,
 * stdout also gets the error as the API gives it, `{"error":{"code","message"}}`, so a script reads
 * the same code whether or not `parley run` serves the home.
 */
export function fail(err: unknown): never {
  if (ParleyError.is(err)) {
    const { message } = withHint(err);
    if (wantsJson()) process.stdout.write(JSON.stringify({ error: { code: err.code, message } }) + '\n');
    process.stderr.write(`parley: ${message}\n`);
    process.exit(1);
  }
  const code = (err as { code?: unknown })?.code;
  const message = 'unexpected error; run with PARLEY_DEBUG=1 for details';
  if (wantsJson()) process.stdout.write(JSON.stringify({ error: { code: 'INTERNAL', message } }) + '\n');
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
  const what = ParleyError.is(err) ? err.code : (((err as { code?: unknown })?.code as string | undefined) ?? (err instanceof Error ? err.name : 'unknown'));
  process.stderr.write(`parley: an internal operation failed (${what}); still running\n`);
  if (process.env.PARLEY_DEBUG) console.error(err);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
