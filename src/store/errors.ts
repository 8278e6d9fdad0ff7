import { ParleyError } from '../wire/errors.js';

export const STORE_ERROR_CODES = ['NEWER_SCHEMA', 'DISK', 'DB_LOCKED', 'REENCRYPT_FAILED'] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends ParleyError<StoreErrorCode> {
  static NEWER_SCHEMA(found: number, known: number) {
    return new StoreError('NEWER_SCHEMA', `this database was written by a newer Parley (schema ${found}, this one knows ${known}); upgrade Parley`);
  }
  static DISK(reason: string) {
    return new StoreError('DISK', `could not write to the database (${reason}); check free space and permissions of the home folder`);
  }
  static LOCKED(withKey: boolean) {
    return withKey
      ? new StoreError('DB_LOCKED', 'the database does not open with the key this passphrase unlocks (it belongs to another identity, or is damaged)')
      : new StoreError('DB_LOCKED', 'the database is encrypted: unlock it with your passphrase');
  }
  static REENCRYPT(reason: string) {
    return new StoreError('REENCRYPT_FAILED', `could not encrypt the database with the new key (${reason}); it is unchanged, and the next unlock tries again`);
  }
  static override is(err: unknown): err is StoreError {
    return err instanceof StoreError;
  }
}
