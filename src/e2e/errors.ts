import { ParleyError } from '../wire/errors.js';

export const E2E_ERROR_CODES = ['BAD_BUNDLE', 'DECRYPT_FAILED', 'UNTRUSTED_IDENTITY', 'NO_SESSION'] as const;
export type E2EErrorCode = (typeof E2E_ERROR_CODES)[number];

export class E2EError extends ParleyError<E2EErrorCode> {
  static BAD_BUNDLE(reason: string) {
    return new E2EError('BAD_BUNDLE', `the contact's prekey bundle was refused (${reason})`);
  }
  static DECRYPT_FAILED(reason: string) {
    return new E2EError('DECRYPT_FAILED', `a message could not be decrypted (${reason})`);
  }
  static UNTRUSTED_IDENTITY() {
    return new E2EError(
      'UNTRUSTED_IDENTITY',
      "the contact's encryption key is not bound to their ID or changed since you last talked; compare safety numbers before trusting it",
    );
  }
  static NO_SESSION() {
    return new E2EError('NO_SESSION', 'no end-to-end session with this contact yet');
  }
  static override is(err: unknown): err is E2EError {
    return err instanceof E2EError;
  }
}
