import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DiskKeys } from '../identity/index.js';
import { keyText, openDb } from './db.js';
import { StoreError } from './errors.js';
import type { Db } from './types.js';

/**
 * Opens the database with `disk.key`. A database still in clear (from before the passphrase) or
 * under the previous key (a passphrase change) is first copied into a new file encrypted with the
 * new key, which then replaces it in one rename: a crash at any point leaves either the old file,
 * which `previous` still opens, or the new one.
 */
export function openEncrypted(path: string, disk: DiskKeys): Db {
  try {
    return openDb(path, { key: disk.key });
  } catch (err) {
    if (!(StoreError.is(err) && err.code === 'DB_LOCKED') || disk.previous === null) throw err;
  }
  const old = openDb(path, { key: disk.previous === 'clear' ? null : disk.previous });
  const tmp = `${path}.rekey`;
  try {
    removeDb(tmp); // a copy an earlier attempt left half done
    copyInto(old, tmp, disk);
  } catch (err) {
    old.close();
    removeDb(tmp);
    if (StoreError.is(err)) throw err;
    throw StoreError.REENCRYPT((err as { code?: string }).code ?? 'copy failed');
  }
  old.close(); // checkpoints and removes the old WAL before the new file takes its place
  syncFile(tmp);
  renameSync(tmp, path);
  syncFile(dirname(path));
  return openDb(path, { key: disk.key });
}

/** Every row of `from` into a fresh database at `to`, built by the same migrations, under the new key. */
function copyInto(from: Db, to: string, disk: DiskKeys): void {
  const fresh = openDb(to, { key: disk.key });
  try {
    fresh.pragma('foreign_keys = OFF'); // rows arrive table by table
    const source = from.name;
    const oldKey = disk.previous === 'clear' || disk.previous === null ? '' : keyText(disk.previous);
    fresh.prepare(`ATTACH DATABASE ? AS src KEY ?`).run(source, oldKey);
    const virtual = (fresh.prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'table' AND rootpage = 0`).all() as { name: string }[]).map((r) => r.name);
    const tables = (
      fresh.prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'table' AND rootpage > 0 AND name NOT LIKE 'sqlite_%' ORDER BY rowid`).all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      // A full-text index's own tables are rebuilt by the triggers as the rows arrive.
      .filter((name) => !virtual.some((v) => name.startsWith(`${v}_`)));
    fresh.transaction(() => {
      for (const t of tables) {
        const cols = (fresh.pragma(`main.table_info("${t}")`) as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
        // OR REPLACE: tables kept by triggers (the contact summary) already hold rows the copied
        // messages made; the source's own rows, copied after, are the same and win.
        fresh.exec(`INSERT OR REPLACE INTO main."${t}" (${cols}) SELECT ${cols} FROM src."${t}"`);
      }
    })();
    fresh.exec('DETACH DATABASE src');
  } finally {
    fresh.close();
  }
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
