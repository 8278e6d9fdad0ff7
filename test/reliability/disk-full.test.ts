import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { world, received, delivered } from '../helpers/people.js';
import { StoreError } from '../../src/store/index.js';
import type { ParleyNode } from '../../src/node/index.js';
import { until } from '../helpers/until.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { watchProcess } from './soak.js';

/*
 * The disk under a running node's home fills up while messages keep arriving (test/store/disk-full
 * covers the store alone). The node must not crash or lose anything: what it cannot store it does
 * not acknowledge, the senders retry, and once space returns everything arrives once, in order.
 * Needs root for a real small filesystem (tmpfs); without it the test is skipped, saying why.
 */

const mountpoint = mkdtempSync(join(tmpdir(), 'parley-full-node-'));
let mounted = false;
let why = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountpoint], { stdio: 'pipe' });
  mounted = true;
} catch (err) {
  why = `cannot mount a tmpfs to fill (${(err as Error).message.split('\n')[0]}); run as root to test a full disk under a running node`;
  console.warn(`SKIPPED disk-full (node): ${why}`);
}

/** Fills the filesystem to the last byte. */
function fill(dir: string): void {
  for (const size of [256 * 1024, 4096, 512, 1]) {
    try {
      for (let i = 0; ; i++) writeFileSync(join(dir, `filler.${size}.${i}`), Buffer.alloc(size, 1));
    } catch {
      // this size no longer fits; try a smaller one
    }
  }
}

describe.skipIf(!mounted)('a full disk under a running node', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w?.close();
    if (mounted) execFileSync('umount', ['-l', mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  });

  it('stores nothing it cannot, loses nothing, and catches up once space returns', async () => {
    const watch = watchProcess();
    try {
      const alice = await w.start('alice', { relays: [w.net.relays[0]!] });
      // Bob's home lives on the small filesystem (a symlink would do too; the world helper takes a name).
      const { logger, lines } = capturingLogger();
      const bob: ParleyNode = await w.start(join('..', '..', mountpoint, 'bob'), { relays: [w.net.relays[1]!], logger });
      alice.addContact(bob.id);
      bob.addContact(alice.id);
      const texts: string[] = [];
      const say = (n: number, tag: string) => {
        for (let i = 0; i < n; i++) {
          texts.push(`${tag} ${i} ${'x'.repeat(2000)}`);
          alice.send(bob.id, texts.at(-1)!);
        }
      };
      say(3, 'before');
      await received(bob, alice.id, 3);

      fill(mountpoint);
      const mark = lines.length;
      say(20, 'while full');
      // Bob cannot store them, so Alice hears no receipt and keeps them. Bob's log saying he could
      // not store one (the message, its ratchet step and its receipt commit together, so a full disk
      // refuses all three) is the signal that they reached him.
      const failed = () => lines.slice(mark).filter((l) => /could not store an envelope/.test(l)).length;
      await until(() => failed() > 0, "Bob's node to fail to store a message");
      const stuck = alice.outbox().length;
      expect(stuck).toBeGreaterThan(0);
      // Bob's own writes fail with a sentence that says what to do.
      expect(() => bob.send(alice.id, 'x'.repeat(16_000))).toThrow(StoreError);

      execFileSync('sh', ['-c', `rm -f ${mountpoint}/filler.*`]);
      say(3, 'after');
      const got = await received(bob, alice.id, texts.length, 60_000);
      await delivered(alice, bob.id, texts.length, 60_000);
      expect(
        got.map((m) => m.body.slice(0, 14)),
        'the order Bob shows',
      ).toEqual(texts.map((t) => t.slice(0, 14))); // see ordering.test.ts
      await until(() => alice.outbox().length === 0, "Alice's outbox to empty");
      // What Bob could not store he did not acknowledge; it must not stay on his relay for good either.
      const onRelays = () => w.net.relayServers.reduce((n, r) => n + r.metrics().stored.items, 0);
      await until(
        () => onRelays() === 0,
        () => `the relays to hold no mail for Bob (still ${onRelays()})`,
        15_000,
      );
      bob.send(alice.id, 'all good here');
      await received(alice, bob.id, 1);
      console.log(`disk full: ${stuck} messages waited in Alice's outbox while Bob's disk was full`);
      expect(watch.problems).toEqual([]);
    } finally {
      watch.stop();
    }
  }, 120_000);
});
