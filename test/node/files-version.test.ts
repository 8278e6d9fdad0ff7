import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import type { ParleyNode } from '../../src/node/index.js';
import { OLD_PEER } from '../../src/node/router.js';
import { WireError } from '../../src/wire/errors.js';
import type { FrameCodec } from '../../src/wire/json-codec.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The direct link of a release from before file chunks: it says it speaks peer version 1 only and
 * knows JSON frames alone, so a binary frame closes its link (as that release's codec did).
 */
const olderRelease: FrameCodec<PeerFrameOut, PeerFrame> = {
  speaks: { family: 'peer', min: 1, max: 1 },
  encode: (f) => peerCodec.encode(f),
  decode: (bytes) => {
    if (bytes[0] !== 0x7b) throw WireError.BAD_FRAME('not a frame');
    return peerCodec.decode(bytes);
  },
};

describe('file chunks only on a direct link whose peer version has them', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  /** Alice (current) and Bob (older on his direct link), both `direct` for each other, warmed up. */
  async function pair(a: string, b: string, relays: boolean): Promise<[ParleyNode, ParleyNode, string[]]> {
    const alice = await w.start(a, relays ? { relays: [w.net.relays[0]!] } : {});
    const bob = await w.start(b, relays ? { relays: [w.net.relays[1]!] } : {});
    await bob.forTest().speakPeer(olderRelease);
    const dropped: string[] = [];
    bob.on('presence', (id: string, online: boolean) => !online && dropped.push(id));
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, 'direct');
    bob.setVisibility(alice.id, 'direct');
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await Promise.all([received(bob, alice.id, 1), received(alice, bob.id, 1), delivered(alice, bob.id, 1), delivered(bob, alice.id, 1)]);
    await until(() => alice.online().includes(bob.id), 'the direct link to be up');
    dropped.length = 0;
    return [alice, bob, dropped];
  }

  it('to an older release, the chunks go through their relay and the direct link stays up', async () => {
    const [alice, bob, dropped] = await pair('alice-v', 'bob-v1', true);
    const data = randomBytes(MiB + 7);
    const src = join(w.root, 'to-older.bin');
    writeFileSync(src, data);
    const sent = await alice.files.sendPath(bob.id, src);
    await until(
      () => bob.files.list().find((f) => f.id === sent.id && f.state === 'complete'),
      () => `the file to arrive (${JSON.stringify(bob.files.list().find((f) => f.id === sent.id))})`,
      90_000,
    );
    expect(sha(readFileSync(bob.files.save(sent.id, join(w.root, 'to-older-saved.bin'))))).toBe(sha(data));
    // No frame it does not know reached Bob's direct link: it never closed.
    expect(dropped).toEqual([]);
    expect(alice.online()).toContain(bob.id);
  }, 150_000);

  it('to an older release with no relay to go through, the file waits and says why', async () => {
    const [alice, bob, dropped] = await pair('alice-v2', 'bob-v1-alone', false);
    const src = join(w.root, 'to-older-alone.bin');
    writeFileSync(src, randomBytes(300 * 1024));
    const sent = await alice.files.sendPath(bob.id, src);
    const waiting = await until(() => {
      const v = alice.files.get(sent.id);
      return v.reason?.includes(OLD_PEER) && v;
    }, 'the transfer to say why it waits');
    expect(waiting.state).not.toBe('complete');
    expect(bob.files.list().find((f) => f.id === sent.id)?.bytesDone ?? 0).toBe(0);
    expect(dropped).toEqual([]);
  }, 90_000);
});
