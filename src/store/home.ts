import { join } from 'node:path';
import { settleDiskKey, unlockKeyFile, type Identity } from '../identity/index.js';
import { openEncrypted } from './at-rest.js';
import { openDb } from './db.js';
import type { Db } from './types.js';

export interface OpenHome {
  identity: Identity;
  db: Db;
  /** True when the database is encrypted at rest with a key the passphrase seals. */
  encrypted: boolean;
}

export function dbPath(home: string): string {
  return join(home, 'parley.db');
}

/**
 * A home's identity and database, unlocked by the passphrase if it has one. The first unlock after
 * a passphrase was set or changed re-encrypts the database with the new key.
 */
export function openHome(home: string, passphrase?: string): OpenHome {
  const { identity, disk } = unlockKeyFile(home, passphrase);
  if (!disk) return { identity, db: openDb(dbPath(home)), encrypted: false };
  const db = openEncrypted(dbPath(home), disk);
  if (disk.previous !== null) settleDiskKey(home, identity, passphrase!, disk);
  return { identity, db, encrypted: true };
}
