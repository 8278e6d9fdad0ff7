import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, history, StoreError, upsertContact } from '../../src/store/index.js';
import { queueMessage } from '../../src/node/index.js';
import { Identity } from '../../src/identity/index.js';

/** A real small filesystem (tmpfs, needs root as in CI) that the test fills to the last byte. */
const mountpoint = mkdtempSync(join(tmpdir(), 'parley-full-'));

beforeAll(() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountpoint]);
  } catch {
    throw new Error('this test mounts a 4 MiB tmpfs to fill the disk for real: run it as root (CI does)');
  }
});
afterAll(() => {
  execFileSync('umount', [mountpoint]);
  rmSync(mountpoint, { recursive: true, force: true });
});

function fill(path: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(`${path}.${i}`, chunk);
    } catch {
      for (const size of [4096, 512, 1]) {
        try {
          for (;;) writeFileSync(`${path}.tail${size}.${Math.random()}`, Buffer.alloc(size));
        } catch {
          // this size no longer fits; try a smaller one
        }
      }
      return;
    }
  }
}

describe('a full disk under the home folder', () => {
  it('refuses a new message with a clear error, keeps the database intact, and recovers when space returns', () => {
    const me = Identity.generate();
    const peer = Identity.generate();
    const db = openDb(join(mountpoint, 'parley.db'));
    upsertContact(db, peer.id, 'added', 1);
    queueMessage(db, me.id, peer.id, 'before the disk filled', 1);
    fill(join(mountpoint, 'filler'));
    let err: unknown;
    for (let i = 0; i < 50 && !err; i++) {
      try {
        queueMessage(db, me.id, peer.id, 'x'.repeat(8000), 2);
      } catch (e) {
        err = e;
      }
    }
    expect(StoreError.is(err) && err.code).toBe('DISK');
    expect((err as Error).message).toMatch(/disk is full/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    execFileSync('sh', ['-c', `rm -f ${join(mountpoint, 'filler')}.*`]);
    queueMessage(db, me.id, peer.id, 'after space returned', 3);
    const bodies = history(db, peer.id).map((m) => m.body);
    expect(bodies[0]).toBe('before the disk filled');
    expect(bodies[bodies.length - 1]).toBe('after space returned');
    db.close();
  });
});
