import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, existsSync } from 'node:fs';
import type { SecretKey } from '../identity/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { StoreError } from './errors.js';

export type { Db } from './types.js';
import type { Db } from './types.js';

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface OpenOptions {
  /** Schema version to migrate to (tests of migrations stop early). */
  upTo?: number;
  /** The database key: every page, the WAL and the journal are encrypted (SQLite3 Multiple Ciphers, ChaCha20-Poly1305). */
  key?: SecretKey | null;
}

/**
 * Opens (creating if needed) a node's database: WAL, foreign keys, 0600, migrated to `upTo`;
 * encrypted with `key` when given. A database that does not open with the key given (or without
 * one) is refused with StoreError.LOCKED, never read as garbage.
 */
export function openDb(path: string, opts: number | OpenOptions = {}): Db {
  const { upTo = LATEST_VERSION, key = null } = typeof opts === 'number' ? { upTo: opts } : opts;
  const fresh = path !== ':memory:' && !existsSync(path);
  const db = new Database(path);
  try {
    if (fresh) chmodSync(path, 0o600);
    if (key) db.pragma(`key = '${keyText(key)}'`);
    // Refuses a wrong key (or none for an encrypted file) before anything else is read or written.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') throw StoreError.LOCKED(key !== null);
    throw err;
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // durable across power loss, not only a crash: ~1.8 ms of the direct round trip (bench)
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY'); // sorts and temporary tables never reach a (clear) temp file
  db.pragma('secure_delete = ON'); // deleted messages are overwritten with zeros, not left in free pages
  migrate(db, upTo);
  return db;
}

/** The key as SQLite3 Multiple Ciphers takes it: the 256 random bits in hex, as the passphrase of its KDF. */
export function keyText(key: SecretKey): string {
  return key.expose().toString('hex');
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, compiled once per database and SQL text (better-sqlite3 compiles on every
 * `prepare`: tens of microseconds and memory per call on the hot paths).
 */
export function stmt(db: Db, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (!byText) statements.set(db, (byText = new Map()));
  let s = byText.get(sql);
  if (!s) byText.set(sql, (s = db.prepare(sql)));
  return s;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, upTo: number = LATEST_VERSION): void {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) throw StoreError.NEWER_SCHEMA(current, LATEST_VERSION);
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** Runs `fn` in an IMMEDIATE transaction that may await (callers serialise through a mutex). */
export async function inTransaction<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = await fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/**
 * Runs `fn` in a transaction committed without an fsync (synchronous = NORMAL for this commit only;
 * WAL: it survives a crash of the process, and a power loss only loses it until the next FULL commit
 * syncs the log). Only for writes that a repeat recovers (a receipt's bookkeeping: the sender resends,
 * the receiver deduplicates and answers again). Inside an open transaction it simply joins it.
 */
export function relaxedTx<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn)();
  stmt(db, 'PRAGMA synchronous = NORMAL').run();
  try {
    return writeTx(db, fn);
  } finally {
    stmt(db, 'PRAGMA synchronous = FULL').run();
  }
}

/**
 * Runs a synchronous write transaction, turning SQLite's disk errors into a StoreError a person can
 * act on. SQLite rolls the transaction back, so the database stays as it was.
 *
 * IMMEDIATE: the write lock is taken at BEGIN, where `busy_timeout` waits for another process's
 * writer (a `parley send` beside a running node). A deferred transaction that reads first and writes
 * later fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) when that other writer
 * committed in between: SQLite cannot wait its way out of a stale snapshot.
 */
export function writeTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_FULL') throw StoreError.DISK('the disk is full');
    if (code === 'SQLITE_IOERR' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))) throw StoreError.DISK('input/output error');
    if (code === 'SQLITE_READONLY') throw StoreError.DISK('the database is read-only');
    throw err;
  }
}
