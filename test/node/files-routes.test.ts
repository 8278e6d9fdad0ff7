import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { capturingLogger } from '../helpers/log-capture.js';
import type { ParleyNode } from '../../src/node/index.js';
import type { FileView } from '../../src/node/files-view.js';
import { REFUSED_CHUNK } from '../../src/node/files-receive.js';
import { Ed25519KeyPair } from '../../src/identity/index.js';
import { dial } from '../../src/transport/index.js';
import { filePath } from '../../src/store/index.js';
import { CHUNK_OVERHEAD } from '../../src/wire/file-content.js';
import { peerCodec } from '../../src/wire/peer-frames.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Resolves with the first view of transfer `id` at `node` that `ok` accepts (views come as it progresses). */
const seen = (node: ParleyNode, id: () => string | null, ok: (v: FileView) => boolean) =>
  new Promise<FileView>((resolve) => {
    const on = (v: FileView) => {
      if (v.id === id() && ok(v)) {
        node.off('file', on);
        resolve(v);
      }
    };
    node.on('file', on);
  });

describe('files outside Signal, on each route', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  async function pair(a: string, b: string, vis: ['direct' | 'relayed', 'direct' | 'relayed'], extra: { a?: object; b?: object } = {}) {
    const alice = await w.start(a, { relays: [w.net.relays[0]!], ...extra.a });
    const bob = await w.start(b, { relays: [w.net.relays[1]!], ...extra.b });
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, vis[0]);
    bob.setVisibility(alice.id, vis[1]);
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await Promise.all([received(bob, alice.id, 1), received(alice, bob.id, 1), delivered(alice, bob.id, 1), delivered(bob, alice.id, 1)]);
    return [alice, bob] as const;
  }

  it('direct: a large file arrives whole over the direct link, also when the receiver restarts midway', async () => {
    // Alice caps her direct rate (8 MiB/s) so that Bob's restart falls while the file is on its way:
    // unpaced, loopback carries all 40 MiB before the test can stop him.
    let [alice, bob] = await pair('alice-direct', 'bob-direct', ['direct', 'direct'], { a: { files: { directBytesPerSecond: 8 * MiB } } });
    await until(() => alice.online().includes(bob.id), 'the direct link to be up');
    const data = randomBytes(40 * MiB + 333);
    const src = join(w.root, 'direct.bin');
    writeFileSync(src, data);
    let id: string | null = null;
    const part = seen(
      bob,
      () => id,
      (v) => v.bytesDone > 0 && v.bytesDone < data.length,
    );
    id = (await alice.files.sendPath(bob.id, src)).id;
    await part;
    await w.stop(bob); // mid-file: what was recorded stays, the rest comes again
    bob = await w.start('bob-direct', { relays: [w.net.relays[1]!] });
    const atRestart = bob.files.get(id);
    expect(atRestart.state).toBe('receiving');
    expect(atRestart.bytesDone).toBeLessThan(data.length);

    await until(
      () => bob.files.get(id!).state === 'complete',
      () => `the file to arrive whole (${JSON.stringify(bob.files.get(id!))})`,
      120_000,
    );
    expect(bob.files.get(id)).toMatchObject({ size: data.length, hash: sha(data) });
    await until(() => alice.files.get(id!).state === 'complete', 'Alice to learn that it arrived');
    expect(sha(readFileSync(bob.files.save(id, join(w.root, 'direct-saved.bin'))))).toBe(sha(data));
  }, 240_000);

  it('one relay: the recipient relayed, the file goes through their relay whole', async () => {
    // The relay's default allowance (1 MiB/s a connection) stands: the sender paces below it.
    const [alice, bob] = await pair('alice-one', 'bob-one', ['direct', 'relayed']);
    expect(alice.online()).not.toContain(bob.id); // Bob may not see Alice's IP: no direct link
    const data = randomBytes(4 * MiB + 1);
    const src = join(w.root, 'one.bin');
    writeFileSync(src, data);
    const sent = await alice.files.sendPath(bob.id, src);
    await until(() => bob.files.list().find((f) => f.id === sent.id && f.state === 'complete'), 'the file to arrive through the relay', 120_000);
    expect(bob.files.get(sent.id).hash).toBe(sha(data));
    expect(sha(readFileSync(bob.files.save(sent.id, join(w.root, 'one-saved.bin'))))).toBe(sha(data));
    expect(alice.online()).not.toContain(bob.id);
  }, 180_000);

  it("refuses a forged chunk and another file's chunk replayed into it, and loses nothing", async () => {
    const bobLog = capturingLogger();
    const slow = { relayBytesPerSecond: 256 * 1024, relayBurst: 64 * 1024 };
    const [alice, bob] = await pair('alice-forged', 'bob-forged', ['relayed', 'relayed'], { a: { files: slow }, b: { logger: bobLog.logger } });
    // File A arrives first: its chunks are genuine, under A's key.
    const a = randomBytes(100 * 1024);
    writeFileSync(join(w.root, 'a.bin'), a);
    const fileA = await alice.files.sendPath(bob.id, join(w.root, 'a.bin'));
    await until(() => bob.files.get(fileA.id).state === 'complete', 'file A to arrive');
    // File B is on its way (slowly) when a stranger, who learned its id, sends chunks for it.
    const b = randomBytes(2 * MiB + 99);
    writeFileSync(join(w.root, 'b.bin'), b);
    const fileB = await alice.files.sendPath(bob.id, join(w.root, 'b.bin'));
    const started = await until(() => {
      const v = bob.files.list().find((f) => f.id === fileB.id);
      return v && v.state === 'receiving' && v.bytesDone > 0 && v;
    }, 'file B to be on its way');
    const cs = 45 * 1024;
    const from = Math.floor(started.bytesDone / cs);
    const stranger = await dial(peerCodec, {
      ...bob.address(),
      remotePublicKey: bob.forTest().transportKey(),
      keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(),
      localAddress: '127.0.0.252',
    });
    const genuineOfA = readFileSync(filePath(alice.home, fileA.id)).subarray(0, cs + CHUNK_OVERHEAD);
    for (let i = from; i < from + 12; i++) stranger.send({ v: 2, t: 'file-chunk', x: fileB.id, i, d: randomBytes(cs + CHUNK_OVERHEAD) });
    await until(() => bobLog.lines.some((l) => l.includes(REFUSED_CHUNK)), 'Bob to refuse the forged chunk');
    const refusedBefore = bobLog.lines.filter((l) => l.includes(REFUSED_CHUNK)).length;
    const now = Math.floor(bob.files.get(fileB.id).bytesDone / cs);
    for (let i = now; i < now + 12; i++) stranger.send({ v: 2, t: 'file-chunk', x: fileB.id, i, d: genuineOfA });
    await until(() => bobLog.lines.filter((l) => l.includes(REFUSED_CHUNK)).length > refusedBefore, "Bob to refuse file A's chunk in file B");
    stranger.close();

    await until(
      () => bob.files.get(fileB.id).state === 'complete',
      () => `file B to arrive whole (${JSON.stringify(bob.files.get(fileB.id))})`,
      90_000,
    );
    expect(bob.files.get(fileB.id).hash).toBe(sha(b));
    expect(sha(readFileSync(bob.files.save(fileB.id, join(w.root, 'b-saved.bin'))))).toBe(sha(b));
    await until(() => alice.files.get(fileB.id).state === 'complete', 'Alice to learn that B arrived');
    // The refusal says what happened in words, and names no file, key or address.
    const line = JSON.parse(bobLog.lines.find((l) => l.includes(REFUSED_CHUNK))!) as Record<string, unknown>;
    expect(line.msg).toBe(REFUSED_CHUNK);
    expect(JSON.stringify(line)).not.toContain(fileB.id);
  }, 180_000);
});
