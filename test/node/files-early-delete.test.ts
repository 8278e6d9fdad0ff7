import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import type { ParleyNode } from '../../src/node/index.js';
import { EARLY_DELETE_MS, EARLY_DELETES_MAX, EarlyDeletes } from '../../src/node/files-early-deletes.js';
import { openDb } from '../../src/store/index.js';
import type { Content } from '../../src/wire/content.js';

const hex = () => randomBytes(16).toString('hex');

/** An offer as a sender's Parley makes it (a fresh key and stream header; the chunks would follow). */
function offer(x: string, size: number): Content {
  return {
    v: 1,
    t: 'file',
    x,
    name: 'minutes.pdf',
    size,
    mime: 'application/pdf',
    hash: randomBytes(32).toString('hex'),
    key: randomBytes(32).toString('base64'),
    header: randomBytes(24).toString('base64'),
    cs: 45 * 1024,
    n: Math.ceil(size / (45 * 1024)),
    at: Date.now(),
  };
}

describe('a delete for everyone that overtakes its offer', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let alice: ParleyNode;
  let bob: ParleyNode;
  beforeAll(async () => {
    w = await world(6, 2);
    alice = await w.start('alice-early', { relays: [w.net.relays[0]!] });
    bob = await w.start('bob-early', { relays: [w.net.relays[1]!] });
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await Promise.all([received(bob, alice.id, 1), received(alice, bob.id, 1), delivered(alice, bob.id, 1)]);
  }, 90_000);
  afterAll(async () => {
    await w.close();
  });

  it('is remembered, and the offer that comes after it never shows', async () => {
    const deleted = hex();
    const other = hex();
    const tell = alice.files.forTest().tell;
    await tell(bob.id, { v: 1, t: 'file-delete', x: deleted });
    await tell(bob.id, offer(deleted, 100_000));
    await tell(bob.id, offer(other, 100_000)); // one that was not deleted: it comes as always
    alice.send(bob.id, 'after the offers');
    await received(bob, alice.id, 2); // everything before this text was handled, in order
    const ids = bob.files.list(alice.id).map((f) => f.id);
    expect(ids).toContain(other);
    expect(ids).not.toContain(deleted);
  }, 60_000);
});

describe('the memory of early deletes', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-early-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the newest, each for a bounded time, and survives a restart', () => {
    let now = 1_000_000;
    const path = join(root, 'parley.db');
    const db = openDb(path);
    const early = new EarlyDeletes(db, () => now);
    const from = 'a'.repeat(52);
    const ids = Array.from({ length: EARLY_DELETES_MAX + 10 }, hex);
    for (const x of ids) early.remember(from, x);
    expect(early.has(from, ids[0]!)).toBe(false); // the oldest went to make room
    expect(early.has(from, ids.at(-1)!)).toBe(true);
    expect(early.has('b'.repeat(52), ids.at(-1)!)).toBe(false); // only its sender's delete counts
    db.close();
    const again = new EarlyDeletes(openDb(path), () => now);
    expect(again.has(from, ids.at(-1)!)).toBe(true);
    now += EARLY_DELETE_MS + 1;
    expect(again.has(from, ids.at(-1)!)).toBe(false);
  });
});
