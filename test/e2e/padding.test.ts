import { describe, expect, it } from 'vitest';
import { E2E } from '../../src/e2e/index.js';
import { PAD_BUCKETS } from '../../src/e2e/padding.js';
import { Identity } from '../../src/identity/index.js';
import { openDb } from '../../src/store/index.js';
import { contentCodec, type Content } from '../../src/wire/content.js';
import { randomBytes } from 'node:crypto';

const party = () => {
  const identity = Identity.generate();
  return { identity, e2e: new E2E({ db: openDb(':memory:'), identity }) };
};
const id = () => randomBytes(16).toString('hex');
const text = (body: string, n: number): Content => ({ v: 1, t: 'text', id: id(), n, body, at: Date.now(), via: 'both-relays' });

describe('padding inside the Signal encryption', () => {
  it('gives texts of every length and receipts one ciphertext size per bucket; a receipt looks like a short text', async () => {
    const alice = party();
    const bob = party();
    await alice.e2e.startSession(bob.identity.id, await bob.e2e.createBundle());
    // Bob answers once, so Alice's messages are ordinary ratchet messages (what most traffic is).
    const hello = await alice.e2e.encrypt(bob.identity.id, contentCodec.encode(text('hi', 1)));
    await bob.e2e.decrypt(alice.identity.id, hello.kind, hello.body, alice.identity.binding);
    const back = await bob.e2e.encrypt(alice.identity.id, contentCodec.encode({ v: 1, t: 'receipt', ids: [id()] }));
    await alice.e2e.decrypt(bob.identity.id, back.kind, back.body);

    const lengths = [0, 1, 2, 7, 50, 100, 150, 180, 200, 300, 700, 900, 1000, 2000, 3500, 4000, 6000, 9000, 12000, 16000, 16384];
    const contents: Array<[string, Content]> = [];
    for (const [i, n] of lengths.entries()) {
      contents.push([`text of ${n} bytes`, text('x'.repeat(n), i + 2)]);
      if (n > 0 && n <= 4000) contents.push([`text of ${n} bytes, emoji`, text('🔒'.repeat(Math.floor(n / 4)), i + 100)]);
    }
    for (const n of [1, 2, 5, 40, 200, 512]) contents.push([`receipt of ${n}`, { v: 1, t: 'receipt', ids: Array.from({ length: n }, id) }]);
    contents.push(['reach', { v: 1, t: 'reach', endpoint: '127.0.0.1:40000', transportKey: randomBytes(32).toString('base64') }]);
    contents.push(['empty reach', { v: 1, t: 'reach' }]);

    const sizes = new Map<string, number>();
    for (const [what, c] of contents) {
      const plain = contentCodec.encode(c);
      const env = await alice.e2e.encrypt(bob.identity.id, plain);
      expect(env.kind).toBe('whisper');
      sizes.set(what, env.body.length);
      // Bob reads exactly what was sent: padding removed.
      const out = await bob.e2e.decrypt(alice.identity.id, env.kind, env.body);
      expect(out.plaintext.equals(plain), what).toBe(true);
    }
    const distinct = [...new Set(sizes.values())].sort((a, b) => a - b);
    // Five buckets, five sizes; without padding there would be one size per length (dozens).
    expect(distinct.length).toBeLessThanOrEqual(PAD_BUCKETS.length);
    // Each size is its bucket plus Signal's overhead (a MAC, a block of CBC padding, a few bytes of
    // protobuf whose length prefix grows by one byte past 16 KiB).
    const overhead = distinct[0]! - PAD_BUCKETS[0];
    for (const size of distinct)
      expect(
        PAD_BUCKETS.filter((b) => size - b >= overhead && size - b <= overhead + 2),
        `size ${size}`,
      ).toHaveLength(1);
    expect(sizes.get('receipt of 1')).toBe(sizes.get('text of 100 bytes'));
    expect(sizes.get('receipt of 5')).toBe(sizes.get('text of 7 bytes'));
    expect(sizes.get('reach')).toBe(sizes.get('text of 1 bytes'));
  });

  it("still reads an older sender's unpadded content", async () => {
    const { pad, unpad } = await import('../../src/e2e/padding.js');
    const legacy = contentCodec.encode(text('from before padding', 1));
    expect(unpad(legacy)).toBeNull();
    expect(unpad(pad(legacy))!.equals(legacy)).toBe(true);
    const ends80 = Buffer.from([0x7b, 0x80]);
    expect(unpad(pad(ends80))!.equals(ends80)).toBe(true);
  });
});
