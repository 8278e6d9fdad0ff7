import { ParleyError } from '../wire/errors.js';

/** Why one DHT response was thrown away during a lookup (counted, never logged with content). */
export type RejectReason = 'bad signature' | 'wrong key' | 'malformed';

export const DHT_ERROR_CODES = [
  'NO_RECORD',
  'BAD_SIGNATURE',
  'WRONG_KEY',
  'VALUE_TOO_LARGE',
  'BAD_SCHEMA',
  'BAD_BINDING',
  'RECORD_EXPIRED',
  'PUT_FAILED',
  'STALE_SEQ',
  'NO_BOOTSTRAP',
  'BAD_BOOTSTRAP',
  'DHT_STOPPED',
  'DHT_TIMEOUT',
  'LOOKUP_FAILED',
  'DHT_NOT_STARTED',
  'BIND_FAILED',
  'OLDER_RECORD',
] as const;
export type DhtErrorCode = (typeof DHT_ERROR_CODES)[number];

/**
 * Errors of the DHT layer. A person reads `message` (a sentence that says what to do); a program
 * reads `code`. Messages never contain addresses, keys, IDs or record content.
 */
export class DhtError extends ParleyError<DhtErrorCode> {
  /** Set on lookups that failed because every answer was rejected: how many, for which reason. */
  readonly rejected: readonly RejectReason[];

  constructor(code: DhtErrorCode, message: string, options?: { cause?: unknown; rejected?: readonly RejectReason[] }) {
    super(code, message, options);
    this.rejected = options?.rejected ?? [];
  }

  static NOT_FOUND(what: string) {
    return new DhtError('NO_RECORD', `no ${what} was found in the DHT; the person may be offline or may never have published one`);
  }
  /** Every response that held a value for the key failed verification. */
  static REJECTED(what: string, rejected: readonly RejectReason[]) {
    const code = rejected.includes('bad signature') ? 'BAD_SIGNATURE' : rejected.includes('wrong key') ? 'WRONG_KEY' : 'BAD_SCHEMA';
    return new DhtError(code, `no valid ${what} was found: ${summarize(rejected)}; someone may be forging records for this ID, try again later`, { rejected });
  }
  static BAD_SIGNATURE(what: string) {
    return new DhtError('BAD_SIGNATURE', `the ${what} carries a signature that does not match its key; it was rejected`);
  }
  static WRONG_KEY(what: string) {
    return new DhtError('WRONG_KEY', `the ${what} was signed by a different key than the one asked for; it was rejected`);
  }
  static TOO_LARGE(size: number, max: number) {
    return new DhtError('VALUE_TOO_LARGE', `a DHT value may be at most ${max} bytes encoded, this one is ${size}; shorten it`);
  }
  static BAD_SCHEMA(what: string, reason: string) {
    return new DhtError('BAD_SCHEMA', `the ${what} is malformed (${reason}); it was rejected`);
  }
  static BAD_BINDING(what: string) {
    return new DhtError('BAD_BINDING', `the ${what} holds a Signal identity key that its owner's identity key did not sign; it was rejected`);
  }
  static EXPIRED(what: string) {
    return new DhtError(
      'RECORD_EXPIRED',
      `the ${what} has expired: its owner has not republished it, or your clock or theirs is wrong by days (check the date and time); try again later`,
    );
  }
  static OLDER_RECORD(what: string) {
    return new DhtError(
      'OLDER_RECORD',
      `the DHT returned an older ${what} than one already seen for this person (a replay), so it was refused; try again later`,
    );
  }
  static PUT_FAILED(reason: string, cause?: unknown) {
    return new DhtError('PUT_FAILED', `no DHT node stored the record (${reason})`, { cause });
  }
  static STALE_SEQ() {
    return new DhtError('STALE_SEQ', 'no DHT node stored the record (a record with the same or a higher sequence number is already stored)');
  }
  static NO_BOOTSTRAP() {
    return new DhtError('NO_BOOTSTRAP', 'no DHT node answered: check the bootstrap list, or start a local network');
  }
  static BAD_BOOTSTRAP() {
    return new DhtError('BAD_BOOTSTRAP', 'a bootstrap entry is not of the form host:port; fix the bootstrap list');
  }
  static STOPPED() {
    return new DhtError('DHT_STOPPED', 'the DHT node was stopped before the operation finished');
  }
  static TIMEOUT(what: string) {
    return new DhtError('DHT_TIMEOUT', `the DHT ${what} did not finish in time; the network may be slow or misbehaving, try again`);
  }
  static LOOKUP_FAILED(cause?: unknown) {
    return new DhtError('LOOKUP_FAILED', 'the DHT lookup failed; try again', { cause });
  }
  static NOT_STARTED() {
    return new DhtError('DHT_NOT_STARTED', 'the DHT node is not running; call start() first');
  }
  /** Only the system error code is kept: the system error itself names the address. */
  static BIND_FAILED(code: string) {
    return new DhtError('BIND_FAILED', `the DHT node could not listen on the requested address and port (${code}); choose another port or address`);
  }
  static override is(err: unknown): err is DhtError {
    return err instanceof DhtError;
  }
}

/** "1 response rejected (bad signature)", "3 responses rejected (2 bad signature, 1 wrong key)". */
export function summarize(rejected: readonly RejectReason[]): string {
  const counts = new Map<RejectReason, number>();
  for (const r of rejected) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => (counts.size === 1 ? reason : `${n} ${reason}`));
  return `${rejected.length} response${rejected.length === 1 ? '' : 's'} rejected (${parts.join(', ')})`;
}
