import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import type { ParleyNode } from '../../src/node/index.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Whether any file under `home` holds one of these plaintext samples. */
function plaintextOnDisk(home: string, samples: Buffer[]): string | null {
  for (const f of filesUnder(home)) {
    const bytes = readFileSync(f);
    if (samples.some((s) => bytes.includes(s))) return f;
  }
  return null;
}

/** Alice paces her relayed chunks slowly here, so that the restarts happen while the file is on its way. */
const slow = { relayBytesPerSecond: 512 * 1024, relayBurst: 256 * 1024 };

describe('files through two relays (each person relayed)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let alice: ParleyNode;
  let bob: ParleyNode;
  beforeAll(async () => {
    w = await world(6, 2);
    [alice, bob] = await w.pair('alice', 'bob', { a: { relays: [w.net.relays[0]!], files: slow }, b: { relays: [w.net.relays[1]!] } });
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await Promise.all([received(bob, alice.id, 1), received(alice, bob.id, 1), delivered(alice, bob.id, 1), delivered(bob, alice.id, 1)]);
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  it('a file goes both ways whole, surviving a restart of the receiver and then of the sender midway', async () => {
    const data = randomBytes(3 * MiB + 12_345);
    const src = join(w.root, 'report.bin');
    writeFileSync(src, data);
    const sent = await alice.files.sendPath(bob.id, src);
    expect(sent).toMatchObject({ state: 'offering', size: data.length, hash: sha(data), name: 'report.bin' });

    // Bob goes away once part of it has arrived, and comes back.
    const bobHome = bob.home;
    await until(() => bob.files.list().find((f) => f.id === sent.id && f.bytesDone > 200 * 1024), 'part of the file to reach Bob');
    await w.stop(bob);
    bob = await w.start('bob', { relays: [w.net.relays[1]!] });
    // Then Alice goes away midway, and comes back: both sides resume from what they stored.
    await until(
      () => alice.files.get(sent.id).bytesDone > 1.2 * MiB && alice.files.get(sent.id).bytesDone < data.length,
      () => `Alice to see Bob hold over 1.2 MiB (${JSON.stringify(alice.files.get(sent.id))}; Bob: ${JSON.stringify(bob.files.list()[0])})`,
    );
    await w.stop(alice);
    alice = await w.start('alice', { relays: [w.net.relays[0]!], files: slow });

    const got = await until(() => bob.files.list().find((f) => f.id === sent.id && f.state === 'complete'), 'the file to arrive whole at Bob', 120_000);
    expect(got).toMatchObject({ direction: 'in', contactId: alice.id, size: data.length, hash: sha(data) });
    await until(() => alice.files.get(sent.id).state === 'complete', 'Alice to learn that Bob holds it all');
    const saved = bob.files.save(sent.id, join(w.root, 'saved.bin'));
    expect(sha(readFileSync(saved))).toBe(sha(data));

    // At rest under Bob's home the file is only ciphertext: no 64-byte stretch of it is there in clear.
    const samples = [0, 1, 2, 3].map((k) => data.subarray(Math.floor((k * data.length) / 4), Math.floor((k * data.length) / 4) + 64));
    expect(plaintextOnDisk(bobHome, samples)).toBeNull();
    expect(plaintextOnDisk(alice.home, samples)).toBeNull();

    // And the other way.
    const back = randomBytes(MiB + 7);
    const src2 = join(w.root, 'reply.pdf');
    writeFileSync(src2, back);
    const reply = await bob.files.sendPath(alice.id, src2, 'application/pdf');
    const arrived = await until(() => alice.files.list().find((f) => f.id === reply.id && f.state === 'complete'), 'the reply file to reach Alice', 60_000);
    expect(arrived).toMatchObject({ name: 'reply.pdf', mime: 'application/pdf', hash: sha(back) });
    const folder = join(w.root, 'downloads');
    mkdirSync(folder);
    const out = alice.files.save(reply.id, folder);
    expect(out).toBe(join(folder, 'reply.pdf'));
    expect(() => alice.files.save(reply.id, folder)).toThrow(/exists already/);
    expect(statSync(out).size).toBe(back.length);
    expect(sha(readFileSync(out))).toBe(sha(back));
  }, 240_000);
});
