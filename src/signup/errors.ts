import { ParleyError } from '../wire/errors.js';
import { ATTESTOR_CODES, isAttestorCode, type AttestorCode } from './attestor-codes.js';

/** An attestor's refusal, as the client names it. */
export type AttestorRefusal = `ATTESTOR_${AttestorCode}`;

export const SIGNUP_ERROR_CODES = [
  'BAD_EMAIL',
  'BAD_PHONE',
  'BAD_REGION',
  'UNKNOWN_ATTESTOR',
  'ATTESTOR_KEY_CHANGED',
  'BAD_ATTESTATION',
  'FORGED_ATTESTATION',
  'WRONG_SALT',
  'ATTESTATION_EXPIRED',
  'WITHDRAWN',
  'ATTESTATION_TOO_LARGE',
  'BAD_PROOF',
  'ATTESTOR_REFUSED',
  'ATTESTOR_UNREACHABLE',
  'ATTESTOR_BAD_REPLY',
  'BAD_URL',
  'NO_PENDING',
  'NOTHING_TO_UNLINK',
  'NO_ATTESTOR',
  'BAD_CONTACTS',
  ...ATTESTOR_CODES.map((c): AttestorRefusal => `ATTESTOR_${c}`),
] as const;
export type SignupErrorCode = (typeof SIGNUP_ERROR_CODES)[number];

/**
 * Errors of sign-up and contact discovery. Messages say what to do and never contain an email
 * address, a phone number, a code, a key or an ID.
 */
export class SignupError extends ParleyError<SignupErrorCode> {
  static BAD_EMAIL(reason: string) {
    return new SignupError('BAD_EMAIL', `that is not an email address (${reason}); write it as someone@example.com`);
  }
  static BAD_PHONE(reason: string) {
    return new SignupError(
      'BAD_PHONE',
      `that is not a phone number (${reason}); write it in international form (+41 44 668 18 00) or give a default region (CH)`,
    );
  }
  static BAD_REGION() {
    return new SignupError('BAD_REGION', 'the default region must be a two-letter country code such as CH or US');
  }
  static UNKNOWN_ATTESTOR() {
    return new SignupError('UNKNOWN_ATTESTOR', 'the attestation is signed by an attestor you do not trust, so it was rejected; name the attestor to trust it');
  }
  static ATTESTOR_KEY_CHANGED() {
    return new SignupError(
      'ATTESTOR_KEY_CHANGED',
      'the attestor at that address now presents a different key than the one you trusted before, so nothing was sent; if its operator really changed keys, check the new ones with them, then forget the attestor and name it again',
    );
  }
  static BAD_ATTESTATION(reason: string) {
    return new SignupError('BAD_ATTESTATION', `the attestation record is malformed (${reason}); it was rejected`);
  }
  static BAD_SIGNATURE() {
    return new SignupError(
      'FORGED_ATTESTATION',
      "the attestation carries a signature that is not the attestor's, so it was rejected (someone may be forging records)",
    );
  }
  static WRONG_SALT() {
    return new SignupError('WRONG_SALT', 'the attestation is stored under a different lookup key than the one asked for; it was rejected');
  }
  static EXPIRED() {
    return new SignupError('ATTESTATION_EXPIRED', 'the attestation has expired; its owner has not renewed it');
  }
  static WITHDRAWN() {
    return new SignupError('WITHDRAWN', 'its owner withdrew this attestation (unlinked); nobody is on Parley under it');
  }
  static TOO_LARGE(size: number, max: number) {
    return new SignupError('ATTESTATION_TOO_LARGE', `the attestation record is ${size} bytes, more than the ${max} allowed; it was rejected`);
  }
  static BAD_PROOF() {
    return new SignupError(
      'BAD_PROOF',
      "the attestor's answer did not prove it used its published key, so nothing was looked up; the attestor may be misbehaving",
    );
  }
  /** The attestor's own refusal: its code (when this client knows it) and its sentence. */
  static ATTESTOR(code: string, message: string, status: number) {
    return new SignupError(isAttestorCode(code) ? `ATTESTOR_${code}` : 'ATTESTOR_REFUSED', `the attestor refused (${status}): ${message}`);
  }
  static ATTESTOR_UNREACHABLE() {
    return new SignupError('ATTESTOR_UNREACHABLE', 'the attestor could not be reached; check its URL and that it is running');
  }
  static ATTESTOR_BAD_REPLY() {
    return new SignupError(
      'ATTESTOR_BAD_REPLY',
      'the attestor answered with something that is not a valid reply; it may be a different program or a different version',
    );
  }
  static BAD_URL() {
    return new SignupError('BAD_URL', 'the attestor URL must start with http:// or https://');
  }
  static NO_PENDING() {
    return new SignupError('NO_PENDING', 'there is no sign-up waiting for a code');
  }
  static NOTHING_TO_UNLINK() {
    return new SignupError('NOTHING_TO_UNLINK', 'you have no email or phone attestation; you are already incognito');
  }
  static NO_ATTESTOR() {
    return new SignupError('NO_ATTESTOR', 'no attestor is known: name one by its URL');
  }
  static BAD_CONTACTS(reason: string) {
    return new SignupError('BAD_CONTACTS', `the contacts file could not be read (${reason}); export it as vCard (.vcf) or CSV`);
  }
  static override is(err: unknown): err is SignupError {
    return err instanceof SignupError;
  }
}
