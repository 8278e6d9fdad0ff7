import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identity, saveIdentity } from '../../src/identity/index.js';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import type { ParleyNode } from '../../src/node/index.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

describe('files: an offline recipient, an encrypted home, a full disk', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  async function pair(a: string, b: string, bobExtra: Parameters<typeof w.start>[1] = {}): Promise<[ParleyNode, ParleyNode]> {
    const alice = await w.start(a, { relays: [w.net.relays[0]!], files: { answerMs: 1_500 } });
    const bob = await w.start(b, { relays: [w.net.relays[1]!], ...bobExtra });
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await Promise.all([received(bob, alice.id, 1), received(alice, bob.id, 1), delivered(alice, bob.id, 1), delivered(bob, alice.id, 1)]);
    return [alice, bob];
  }

  it('tells the sender the file waits for the recipient to come online, then delivers it; at rest under a passphrase, neither the plaintext nor the file key is on the disk', async () => {
    const bobHome = join(w.root, 'bob-locked');
    saveIdentity(bobHome, Identity.generate(), { passphrase: 'correct horse battery' });
    let [alice, bob] = await pair('alice-offline', 'bob-locked', { passphrase: 'correct horse battery' });
    await w.stop(bob);

    const data = randomBytes(MiB + 5);
    const src = join(w.root, 'while-away.bin');
    writeFileSync(src, data);
    const sent = await alice.files.sendPath(bob.id, src);
    const waiting = await until(() => {
      const f = alice.files.get(sent.id);
      return f.state === 'waiting' && f;
    }, 'Alice to be told the file waits');
    expect(waiting.reason).toMatch(/^the file waits for the recipient to come online \([\d.]+ MiB wait in their relay's mailbox\)$/);

    bob = await w.start('bob-locked', { relays: [w.net.relays[1]!], passphrase: 'correct horse battery' });
    await until(() => bob.files.list().find((f) => f.id === sent.id && f.state === 'complete'), 'the file to arrive once Bob is back', 90_000);
    await until(() => alice.files.get(sent.id).state === 'complete', 'Alice to learn that it arrived');
    const out = bob.files.save(sent.id, join(w.root, 'saved-locked.bin'));
    expect(sha(readFileSync(out))).toBe(sha(data));

    const key = (alice.db.prepare('SELECT key FROM files WHERE id = ?').get(sent.id) as { key: Buffer }).key;
    const samples = [key, data.subarray(0, 64), data.subarray(data.length >> 1, (data.length >> 1) + 64), Buffer.from(sent.hash)];
    await w.stop(bob); // the WAL checkpointed into the (encrypted) database
    for (const f of filesUnder(bobHome)) {
      const bytes = readFileSync(f);
      expect(
        samples.findIndex((s) => bytes.includes(s)),
        f,
      ).toBe(-1);
    }
  }, 180_000);

  it('a recipient whose disk has no room refuses it, stores none of it, and the sender is told why', async () => {
    const home = join(w.root, 'bob-small');
    mkdirSync(home);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', home]);
    let bob: ParleyNode | null = null;
    try {
      let alice: ParleyNode;
      [alice, bob] = await pair('alice-big', 'bob-small');
      const src = join(w.root, 'too-big.bin');
      writeFileSync(src, randomBytes(2 * MiB)); // 2 MiB plus the margin kept for the database is more than the 40 MiB disk holds
      const sent = await alice.files.sendPath(bob.id, src);
      const refused = await until(() => {
        const f = alice.files.get(sent.id);
        return f.state === 'refused' && f;
      }, 'Alice to learn that Bob refused it');
      expect(refused.reason).toBe("the recipient's disk has no room for this file");
      expect(bob.files.list()).toEqual([
        expect.objectContaining({ id: sent.id, state: 'refused', reason: 'there was no room on this disk for it', bytesDone: 0 }),
      ]);
      expect(readdirSync(home)).not.toContain('files');
    } finally {
      if (bob) await w.stop(bob);
      execFileSync('umount', [home]);
    }
  }, 120_000);
});
