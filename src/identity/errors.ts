import { ParleyError } from '../wire/errors.js';

export const IDENTITY_ERROR_CODES = ['BAD_ID', 'NO_IDENTITY', 'IDENTITY_EXISTS', 'LOCKED', 'WRONG_PASSPHRASE', 'BAD_KEYFILE'] as const;
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];

export class IdentityError extends ParleyError<IdentityErrorCode> {
  static BAD_ID(reason: string) {
    return new IdentityError('BAD_ID', `not a Parley ID (${reason}); an ID is 52 characters of z-base32, optionally as parley:<ID>`);
  }
  static NO_IDENTITY(home: string) {
    return new IdentityError('NO_IDENTITY', `no Parley identity in ${home}`);
  }
  static EXISTS(home: string) {
    return new IdentityError('IDENTITY_EXISTS', `${home} already holds a Parley identity; choose another folder or remove it first`);
  }
  static LOCKED() {
    return new IdentityError('LOCKED', 'this identity is protected by a passphrase; unlock it first');
  }
  static WRONG_PASSPHRASE() {
    return new IdentityError('WRONG_PASSPHRASE', 'that passphrase does not unlock this identity');
  }
  static BAD_KEYFILE(reason: string) {
    return new IdentityError('BAD_KEYFILE', `the identity key file is damaged (${reason})`);
  }
  static override is(err: unknown): err is IdentityError {
    return err instanceof IdentityError;
  }
}
