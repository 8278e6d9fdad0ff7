import { ParleyError } from '../wire/errors.js';

export const STORE_ERROR_CODES = ['NEWER_SCHEMA', 'DISK'] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends ParleyError<StoreErrorCode> {
  static NEWER_SCHEMA(found: number, known: number) {
    return new StoreError('NEWER_SCHEMA', `this database was written by a newer Parley (schema ${found}, this one knows ${known}); upgrade Parley`);
  }
  static DISK(reason: string) {
    return new StoreError('DISK', `could not write to the database (${reason}); check free space and permissions of the home folder`);
  }
  static override is(err: unknown): err is StoreError {
    return err instanceof StoreError;
  }
}
