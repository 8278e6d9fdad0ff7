import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, stmt, writeTx, type Db } from '../../src/store/index.js';

/**
 * A `parley send` writes to the database while the running node writes to it too (two processes,
 * two connections, WAL). A transaction that read first and then found the other writer's commit in
 * between used to fail at once with "database is locked": busy_timeout cannot help a stale snapshot.
 */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function twoConnections(): [Db, Db] {
  const dir = mkdtempSync(join(tmpdir(), 'parley-writers-'));
  dirs.push(dir);
  const path = join(dir, 'parley.db');
  return [openDb(path), openDb(path)];
}

it('a write transaction beside another process that writes in the middle of it commits, and the other write waits its turn', () => {
  const [cli, node] = twoConnections();
  stmt(node, 'PRAGMA busy_timeout = 0').run(); // one thread plays both processes: the node's write must not block it
  const kv = (db: Db, k: string, v: string) => stmt(db, 'INSERT INTO kv (key, value) VALUES (?, ?)').run(k, v);
  let nodeWrote: 'before' | 'busy' = 'before';

  writeTx(cli, () => {
    stmt(cli, 'SELECT count(*) FROM kv').get(); // the read a real transaction begins with
    try {
      kv(node, 'node-write', '1');
    } catch (err) {
      expect((err as { code?: string }).code).toBe('SQLITE_BUSY');
      nodeWrote = 'busy';
    }
    kv(cli, 'cli-write', '1');
  });
  expect(nodeWrote).toBe('busy'); // the node's writer waited (here: was told to) instead of slipping in
  kv(node, 'node-write', '1'); // and gets its turn right after the commit
  const keys = (stmt(node, "SELECT key FROM kv WHERE key IN ('cli-write', 'node-write') ORDER BY key").all() as { key: string }[]).map((r) => r.key);
  expect(keys).toEqual(['cli-write', 'node-write']);
  cli.close();
  node.close();
});
