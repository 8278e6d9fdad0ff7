import { ParleyError } from '../wire/errors.js';

/**
 * Errors of sign-up and contact discovery. Messages say what to do and never contain an email
 * address, a phone number, a code, a key or an ID.
 */
export class SignupError extends ParleyError {
  static BAD_EMAIL(reason: string) {
    return new SignupError('BAD_EMAIL', `That is not an email address (${reason}); write it as someone@example.com.`);
  }
  static BAD_PHONE(reason: string) {
    return new SignupError('BAD_PHONE', `That is not a phone number (${reason}); write it in international form (+41 44 668 18 00) or pass a default region (--region CH).`);
  }
  static BAD_REGION() {
    return new SignupError('BAD_REGION', 'The default region must be a two-letter country code such as CH or US.');
  }
  static UNKNOWN_ATTESTOR() {
    return new SignupError('UNKNOWN_ATTESTOR', 'The attestation is signed by an attestor you do not trust; it was rejected. Trust an attestor by naming it with --attestor.');
  }
  static ATTESTOR_KEY_CHANGED() {
    return new SignupError('ATTESTOR_KEY_CHANGED', 'The attestor at that address now presents a different key than the one you trusted before; nothing was sent. If its operator really changed keys, check the new ones with them, then run `parley signup forget-attestor <url>`.');
  }
  static BAD_ATTESTATION(reason: string) {
    return new SignupError('BAD_ATTESTATION', `The attestation record is malformed (${reason}); it was rejected.`);
  }
  static BAD_SIGNATURE() {
    return new SignupError('BAD_SIGNATURE', 'The attestation carries a signature that is not the attestor\'s; it was rejected (someone may be forging records).');
  }
  static WRONG_SALT() {
    return new SignupError('WRONG_SALT', 'The attestation is stored under a different lookup key than the one asked for; it was rejected.');
  }
  static EXPIRED() {
    return new SignupError('EXPIRED', 'The attestation has expired; its owner has not renewed it.');
  }
  static WITHDRAWN() {
    return new SignupError('WITHDRAWN', 'Its owner withdrew this attestation (unlinked); nobody is on Parley under it.');
  }
  static TOO_LARGE(size: number, max: number) {
    return new SignupError('TOO_LARGE', `The attestation record is ${size} bytes, more than the ${max} allowed; it was rejected.`);
  }
  static BAD_PROOF() {
    return new SignupError('BAD_PROOF', 'The attestor\'s answer did not prove it used its published key; nothing was looked up. The attestor may be misbehaving.');
  }
  static ATTESTOR(code: string, message: string, status: number) {
    return new SignupError(`ATTESTOR_${code}`, `The attestor refused (${status}): ${message}`);
  }
  static ATTESTOR_UNREACHABLE() {
    return new SignupError('ATTESTOR_UNREACHABLE', 'The attestor could not be reached; check its URL (--attestor) and that it is running.');
  }
  static ATTESTOR_BAD_REPLY() {
    return new SignupError('ATTESTOR_BAD_REPLY', 'The attestor answered with something that is not a valid reply; it may be a different program or a different version.');
  }
  static BAD_URL() {
    return new SignupError('BAD_URL', 'The attestor URL must start with http:// or https://.');
  }
  static NO_PENDING() {
    return new SignupError('NO_PENDING', 'There is no sign-up waiting for a code; start one with `parley signup email <address>` or `parley signup phone <number>`.');
  }
  static NOTHING_TO_UNLINK() {
    return new SignupError('NOTHING_TO_UNLINK', 'You have no email or phone attestation; you are already incognito.');
  }
  static NO_ATTESTOR() {
    return new SignupError('NO_ATTESTOR', 'No attestor is known: name one with --attestor <url> (or run `parley testnet --attestor`).');
  }
  static BAD_CONTACTS(reason: string) {
    return new SignupError('BAD_CONTACTS', `The contacts file could not be read (${reason}); export it as vCard (.vcf) or CSV.`);
  }
  static override is(err: unknown): err is SignupError {
    return err instanceof SignupError;
  }
}
