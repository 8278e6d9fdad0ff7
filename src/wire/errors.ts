/**
 * One error class per layer, each with static factories, a narrowing `is()` and a `code` from the
 * layer's own list (`*_ERROR_CODES`, a literal union): no code is used by two layers, so a code
 * names one thing wherever it surfaces (test/wire/error-codes.test.ts holds them to that).
 * A person reads `message`: one sentence, lower-case first, no full stop at the end (the CLI
 * prints it after `parley: `), that says what to do; it names no command of the CLI (the CLI adds
 * its own hints). A program reads `code`. Messages never contain message text, keys, or addresses.
 */
export class ParleyError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  static is(err: unknown): err is ParleyError {
    return err instanceof ParleyError;
  }
}

export const WIRE_ERROR_CODES = ['BAD_FRAME', 'FRAME_TOO_LARGE', 'UNSUPPORTED_VERSION'] as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

export class WireError extends ParleyError<WireErrorCode> {
  static BAD_FRAME(reason: string) {
    return new WireError('BAD_FRAME', `malformed frame: ${reason}`);
  }
  static UNSUPPORTED_VERSION(seen: unknown, speaks: string) {
    const v = typeof seen === 'number' && Number.isInteger(seen) ? `version ${seen}` : 'no version';
    return new WireError('UNSUPPORTED_VERSION', `frame of ${v}; this release speaks version ${speaks}`);
  }
  static FRAME_TOO_LARGE(size: number, max: number) {
    return new WireError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the ${max}-byte limit`);
  }
  static override is(err: unknown): err is WireError {
    return err instanceof WireError;
  }
}

/** A short, safe description of any thrown value, for logs (never a stack, never content). */
export function describeError(err: unknown): string {
  if (ParleyError.is(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.name + (hasCode(err) ? ` ${err.code}` : '');
  return 'unknown error';
}

function hasCode(err: Error): err is Error & { code: string } {
  return typeof (err as { code?: unknown }).code === 'string';
}
