/**
 * One error class per layer, each with a string `code`, static factories and a narrowing `is()`.
 * A person reads `message` (a sentence that says what to do); a program reads `code`.
 * Messages never contain message text, keys, or addresses.
 */
export class ParleyError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  static is(err: unknown): err is ParleyError {
    return err instanceof ParleyError;
  }
}

export class WireError extends ParleyError {
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
