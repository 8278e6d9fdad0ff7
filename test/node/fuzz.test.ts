import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { world, received } from '../helpers/people.js';
import { dial } from '../../src/transport/index.js';
import { peerCodec } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import type { ParleyNode } from '../../src/node/index.js';

const Z32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

async function session(bob: ParleyNode) {
  const { host, port } = bob.address();
  return dial(peerCodec, {
    host,
    port,
    remotePublicKey: bob.identity.transportKey.publicKey,
    keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(),
    localAddress: '127.0.0.251',
  });
}

describe('a live node fed random and mutated frames', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.close();
  });

  it('drops them all, crashes never, and keeps serving a real contact', async () => {
    const [bob, alice] = await w.pair('bob', 'alice', { visibility: 'direct' });

    // Schema-valid envelopes with random senders and bodies: each fails to decrypt, the link stays up.
    const envelopes = fc.sample(
      fc.record({
        from: fc.string({ unit: fc.constantFrom(...Z32), minLength: 52, maxLength: 52 }),
        kind: fc.constantFrom('prekey' as const, 'whisper' as const),
        body: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
        bind: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
      }),
      3000,
    );
    const steady = await session(bob);
    for (const e of envelopes) steady.send({ v: 1, t: 'env', ...e });
    // Mutated frames, each on its own link: every one costs only that link.
    const valid = peerCodec.encode({ v: 1, t: 'bundle-req', n: 'abc' });
    const mutants = fc.sample(fc.array(fc.record({ at: fc.nat(valid.length - 1), to: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }), 150);
    let closed = 0;
    for (const edits of mutants) {
      const b = Buffer.from(valid);
      for (const e of edits) b[e.at] = e.to;
      const c = await session(bob);
      c.stream.write(b);
      c.send({ v: 1, t: 'bundle-req', n: 'x' }); // a valid frame after the mutant, so every link has at least one answer or close
      await new Promise((r) => setTimeout(r, 2));
      c.close();
      closed++;
    }
    expect(closed).toBe(150);
    expect(steady.closeReason).toBeNull();

    alice.send(bob.id, 'through the noise');
    const got = await received(bob, alice.id, 1);
    expect(got.map((m) => m.body)).toEqual(['through the noise']);
    expect(bob.contacts().map((c) => c.id)).toEqual([alice.id]); // no garbage sender became a contact
    steady.close();
  }, 60_000);
});
