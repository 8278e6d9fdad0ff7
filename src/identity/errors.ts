import { ParleyError } from '../wire/errors.js';

export class IdentityError extends ParleyError {
  static BAD_ID(reason: string) {
    return new IdentityError('BAD_ID', `not a Parley ID (${reason}); an ID is 52 characters of z-base32, optionally as parley:<ID>`);
  }
  static NO_IDENTITY(home: string) {
    return new IdentityError('NO_IDENTITY', `no Parley identity in ${home}; create one with \`parley init --home ${home}\``);
  }
  static EXISTS(home: string) {
    return new IdentityError('EXISTS', `${home} already holds a Parley identity; choose another --home or remove it first`);
  }
  static LOCKED() {
    return new IdentityError('LOCKED', 'this identity is protected by a passphrase: start `parley run --passphrase` (or unlock it in the web UI, or with `parley unlock`); commands then hand their work to it');
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
