import { ParleyError } from '../wire/errors.js';

export const RELAY_ERROR_CODES = [
  'BAD_REQUEST',
  'BAD_REPLY',
  'NOT_OWNER',
  'UNKNOWN_MAILBOX',
  'MAILBOX_FULL',
  'RELAY_FULL',
  'TOO_MANY_MAILBOXES',
  'TOO_LARGE',
  'NOT_FOUND',
  'RATE_LIMITED',
  'CIRCUIT_REFUSED',
  'CIRCUIT_FAILED',
  'TOO_MANY_CIRCUITS',
  'TIMEOUT',
  'CLOSED',
  'NOT_CONNECTED',
  'REFUSED',
  'SOURCE_FULL',
  'NO_EXIT',
  'EXIT_BUSY',
  'EXIT_STALE_SEQ',
  'DHT_FAILED',
] as const;
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

/**
 * Errors of the relay layer. The same codes travel in `error` frames (relay to client), so a client
 * turns a frame back into the same error with `fromCode`; they are the relay protocol's words, so
 * the other layers' codes keep clear of them. Messages never contain ids or addresses.
 */
export class RelayError extends ParleyError<RelayErrorCode> {
  static BAD_REQUEST(what: string) {
    return new RelayError('BAD_REQUEST', `the relay refused a malformed request (${what})`);
  }
  static BAD_REPLY(what: string) {
    return new RelayError('BAD_REPLY', `the relay broke the protocol (${what}); try another relay`);
  }
  static NOT_OWNER() {
    return new RelayError('NOT_OWNER', 'register this mailbox with its secret on this connection before fetching or acknowledging');
  }
  static UNKNOWN_MAILBOX() {
    return new RelayError('UNKNOWN_MAILBOX', 'no such mailbox on this relay: its owner has not registered it (or it expired)');
  }
  static MAILBOX_FULL() {
    return new RelayError('MAILBOX_FULL', 'the mailbox is full: its owner must fetch and acknowledge before more can be stored');
  }
  static RELAY_FULL() {
    return new RelayError('RELAY_FULL', 'the relay has no room left; try again later or use another relay');
  }
  static TOO_MANY_MAILBOXES() {
    return new RelayError('TOO_MANY_MAILBOXES', 'this connection or address registered as many mailboxes as the relay allows');
  }
  static SOURCE_FULL() {
    return new RelayError('SOURCE_FULL', 'your address already stores as much as this relay allows one address; retry once recipients have fetched their mail');
  }
  static TOO_LARGE(size: number, max: number) {
    return new RelayError('TOO_LARGE', `${size} bytes exceed this relay's limit of ${max}`);
  }
  static NOT_FOUND() {
    return new RelayError('NOT_FOUND', 'nothing stored under that id (never written, or expired)');
  }
  static RATE_LIMITED() {
    return new RelayError('RATE_LIMITED', 'too many requests; slow down and retry');
  }
  static CIRCUIT_REFUSED() {
    return new RelayError('CIRCUIT_REFUSED', 'the relay opens circuits only to published relays');
  }
  static CIRCUIT_FAILED(reason: string) {
    return new RelayError('CIRCUIT_FAILED', `the relay could not reach the next relay (${reason})`);
  }
  static TOO_MANY_CIRCUITS() {
    return new RelayError('TOO_MANY_CIRCUITS', 'too many circuits open; close one first');
  }
  static TIMEOUT(what: string) {
    return new RelayError('TIMEOUT', `the relay did not answer ${what} in time`);
  }
  static CLOSED(reason: string) {
    return new RelayError('CLOSED', `the relay connection is closed (${reason})`);
  }
  static NOT_CONNECTED() {
    return new RelayError('NOT_CONNECTED', 'connect() to the relay first');
  }
  static NO_EXIT() {
    return new RelayError('NO_EXIT', 'this relay does not reach the DHT for its clients; choose another exit relay');
  }
  static EXIT_BUSY() {
    return new RelayError('EXIT_BUSY', 'the exit relay is answering as many DHT requests as it allows; retry shortly');
  }
  static EXIT_STALE_SEQ() {
    return new RelayError('EXIT_STALE_SEQ', 'the DHT already holds this record with the same or a higher sequence number');
  }
  static DHT_FAILED(what: string) {
    return new RelayError('DHT_FAILED', `the exit relay could not ${what} in the DHT; retry later`);
  }
  /** An `error` frame with a code this client does not know (a newer relay's). */
  static REFUSED(code: string) {
    return new RelayError('REFUSED', `the relay refused the request (${code})`);
  }
  /** A code received in an `error` frame, as an error a program can branch on. */
  static fromCode(code: string): RelayError {
    const known: Partial<Record<string, () => RelayError>> = {
      NOT_OWNER: RelayError.NOT_OWNER,
      UNKNOWN_MAILBOX: RelayError.UNKNOWN_MAILBOX,
      MAILBOX_FULL: RelayError.MAILBOX_FULL,
      RELAY_FULL: RelayError.RELAY_FULL,
      SOURCE_FULL: RelayError.SOURCE_FULL,
      TOO_MANY_MAILBOXES: RelayError.TOO_MANY_MAILBOXES,
      NOT_FOUND: RelayError.NOT_FOUND,
      RATE_LIMITED: RelayError.RATE_LIMITED,
      CIRCUIT_REFUSED: RelayError.CIRCUIT_REFUSED,
      TOO_MANY_CIRCUITS: RelayError.TOO_MANY_CIRCUITS,
      NO_EXIT: RelayError.NO_EXIT,
      EXIT_BUSY: RelayError.EXIT_BUSY,
      EXIT_STALE_SEQ: RelayError.EXIT_STALE_SEQ,
    };
    const make = known[code];
    if (make) return make();
    return (RELAY_ERROR_CODES as readonly string[]).includes(code)
      ? new RelayError(code as RelayErrorCode, `the relay refused the request (${code})`)
      : RelayError.REFUSED(code);
  }
  static override is(err: unknown): err is RelayError {
    return err instanceof RelayError;
  }
}
