import { ParleyError } from '../wire/errors.js';

export class StoreError extends ParleyError {
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
