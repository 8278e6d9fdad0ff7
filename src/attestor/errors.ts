import { ParleyError } from '../wire/errors.js';
import { ATTESTOR_CODES, type AttestorCode } from '../signup/attestor-codes.js';

export const ATTESTOR_ERROR_CODES = ATTESTOR_CODES;
export type AttestorErrorCode = AttestorCode;

/**
 * Errors the attestor answers with: a code for programs, an HTTP status, and a sentence for people.
 * None contains an email address, a phone number, a code or a key.
 */
export class AttestorError extends ParleyError<AttestorErrorCode> {
  readonly status: number;
  constructor(code: AttestorErrorCode, status: number, message: string) {
    super(code, message);
    this.status = status;
  }
  static BAD_REQUEST(reason: string) {
    return new AttestorError('MALFORMED_REQUEST', 400, `the request is malformed: ${reason}`);
  }
  /** An address or number the attestor could not normalise; `message` is the sign-up layer's sentence. */
  static BAD_IDENTIFIER(message: string) {
    return new AttestorError('BAD_IDENTIFIER', 400, message);
  }
  static UNSUPPORTED_KIND(kind: string) {
    return new AttestorError('UNSUPPORTED_KIND', 400, `this attestor does not verify ${kind === 'email' ? 'email addresses' : 'phone numbers'}`);
  }
  static NO_SUCH_CODE() {
    return new AttestorError('NO_SUCH_CODE', 400, 'that sign-up is unknown or has expired, or its code was already used; start again to get a new code');
  }
  static WRONG_CODE(left: number) {
    return new AttestorError('WRONG_CODE', 400, `the code is wrong; ${left} attempt${left === 1 ? '' : 's'} left before you must start again`);
  }
  static TOO_MANY_ATTEMPTS() {
    return new AttestorError('TOO_MANY_ATTEMPTS', 429, 'too many wrong codes, so this sign-up was cancelled; start again to get a new code');
  }
  static BAD_ID_SIGNATURE() {
    return new AttestorError('BAD_ID_SIGNATURE', 400, 'the request is not signed by the Parley ID it names');
  }
  static NOT_MINE() {
    return new AttestorError('NOT_MINE', 400, 'that attestation was not signed by this attestor');
  }
  static RATE_LIMITED(what: string) {
    return new AttestorError('TOO_MANY_REQUESTS', 429, `too many ${what}; wait a while and try again`);
  }
  static SEND_FAILED(kind: 'email' | 'phone') {
    return new AttestorError('SEND_FAILED', 502, `the code could not be sent by ${kind === 'email' ? 'email' : 'SMS'}; try again later`);
  }
  static BAD_POINT() {
    return new AttestorError('BAD_POINT', 400, 'a blinded element is not a valid ristretto255 point');
  }
  static NOT_FOUND() {
    return new AttestorError('NO_SUCH_ENDPOINT', 404, 'no such endpoint; see GET /v1/info');
  }
  /** A body fastify refused before any route saw it (not JSON, too large). */
  static REFUSED_BODY(status: number, why: string) {
    return new AttestorError('MALFORMED_REQUEST', status, `the request was refused (${why}); send JSON with content-type application/json, at most 64 KiB`);
  }
  static INTERNAL() {
    return new AttestorError('SERVER_FAILED', 500, 'the attestor failed to handle the request; try again later');
  }
  static override is(err: unknown): err is AttestorError {
    return err instanceof AttestorError;
  }
}
