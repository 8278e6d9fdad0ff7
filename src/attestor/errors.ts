import { ParleyError } from '../wire/errors.js';

/**
 * Errors the attestor answers with: a code for programs, an HTTP status, and a sentence for people.
 * None contains an email address, a phone number, a code or a key.
 */
export class AttestorError extends ParleyError {
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code, message);
    this.status = status;
  }
  static BAD_REQUEST(reason: string) {
    return new AttestorError('BAD_REQUEST', 400, `The request is malformed: ${reason}.`);
  }
  static BAD_IDENTIFIER(code: string, message: string) {
    return new AttestorError(code, 400, message);
  }
  static UNSUPPORTED_KIND(kind: string) {
    return new AttestorError('UNSUPPORTED_KIND', 400, `This attestor does not verify ${kind === 'email' ? 'email addresses' : 'phone numbers'}.`);
  }
  static NO_SUCH_CODE() {
    return new AttestorError('NO_SUCH_CODE', 400, 'That sign-up is unknown or has expired, or its code was already used; start again to get a new code.');
  }
  static WRONG_CODE(left: number) {
    return new AttestorError('WRONG_CODE', 400, `The code is wrong; ${left} attempt${left === 1 ? '' : 's'} left before you must start again.`);
  }
  static TOO_MANY_ATTEMPTS() {
    return new AttestorError('TOO_MANY_ATTEMPTS', 429, 'Too many wrong codes; this sign-up was cancelled. Start again to get a new code.');
  }
  static BAD_ID_SIGNATURE() {
    return new AttestorError('BAD_ID_SIGNATURE', 400, 'The request is not signed by the Parley ID it names.');
  }
  static NOT_MINE() {
    return new AttestorError('NOT_MINE', 400, 'That attestation was not signed by this attestor.');
  }
  static RATE_LIMITED(what: string) {
    return new AttestorError('RATE_LIMITED', 429, `Too many ${what}; wait a while and try again.`);
  }
  static SEND_FAILED(kind: 'email' | 'phone') {
    return new AttestorError('SEND_FAILED', 502, `The code could not be sent by ${kind === 'email' ? 'email' : 'SMS'}; try again later.`);
  }
  static BAD_POINT() {
    return new AttestorError('BAD_POINT', 400, 'A blinded element is not a valid ristretto255 point.');
  }
  static NOT_FOUND() {
    return new AttestorError('NOT_FOUND', 404, 'No such endpoint; see GET /v1/info.');
  }
  static override is(err: unknown): err is AttestorError {
    return err instanceof AttestorError;
  }
}
