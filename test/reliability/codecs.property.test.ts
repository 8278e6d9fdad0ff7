import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toB64 } from '../../src/wire/bytes.js';
import { peerCodec } from '../../src/wire/peer-frames.js';
import { contentCodec } from '../../src/wire/content.js';
import { WireError } from '../../src/wire/errors.js';
import { MAX_FRAME_BYTES } from '../../src/wire/limits.js';
import type { FrameCodec } from '../../src/wire/json-codec.js';
import { relayClientCodec, relayServerCodec } from '../../src/wire/relay-frames.js';
import { batchedFrames, batchFrames } from '../../src/transport/batch.js';
import { Identity } from '../../src/identity/index.js';
import { DhtError, decodeIntroValue, encodeIntro, MAX_RELAY_BYTES, signable, verifyIntro, INTRO_SALT, type IntroFields } from '../../src/dht/index.js';
import { parseSignable } from '../../src/dht/bep44.js';
import { decodeDescriptor, describeRelay, DEFAULT_LIMITS } from '../../src/relay/index.js';
import { decodeRelayRef, encodeRelayRef, RelayRef } from '../../src/routing/relay-ref.js';
import { E2E, E2EError } from '../../src/e2e/index.js';
import { openDb } from '../../src/store/index.js';
import { PassThrough } from 'node:stream';
import { guardFrameSizes } from '../../src/transport/frame-guard.js';
import { fcParams, scale } from './soak.js';
import { clientFrame, content, garbage, id32, ip, peerFrame, port, relayFrame } from './arbitraries.js';

/*
 * Every codec a peer, a relay or the DHT hands us bytes through: what it encodes it decodes back to
 * the same value, and whatever bytes arrive, decoding yields a value or that layer's typed error,
 * never anything else (no TypeError, no RangeError, no hang).
 */

const RUNS = scale(400, 20_000);
const GARBAGE_RUNS = scale(3_000, 200_000);

const peerFrames = peerFrame();
const clientFrames = clientFrame();
const relayFrames = relayFrame();

/** A decoded frame holds Buffers where the wire holds base64: back to the wire form, to compare. */
const asWire = (f: unknown): unknown =>
  JSON.parse(
    JSON.stringify(f, (_k, val: unknown) => {
      const b = val as { type?: string; data?: number[] };
      return b?.type === 'Buffer' && Array.isArray(b.data) ? toB64(Buffer.from(b.data)) : val;
    }),
  );

/** decode(bytes) returns or throws a WireError: anything else is a bug. */
function wireSafe(decode: (b: Buffer) => unknown): (b: Buffer) => void {
  return (bytes) => {
    try {
      decode(bytes);
    } catch (err) {
      if (!WireError.is(err)) throw new Error(`decode threw ${String(err)}`, { cause: err });
    }
  };
}

function roundTrips<T>(codec: FrameCodec<T, unknown>, decode: (b: Buffer) => unknown = codec.decode) {
  return (frame: T) => {
    expect(asWire(decode(codec.encode(frame)))).toEqual(asWire(frame));
  };
}

describe('wire codecs: round trips for every frame type', () => {
  it('peer frames (bundle-req, bundle, env, bye)', () => {
    fc.assert(fc.property(peerFrames, roundTrips(peerCodec)), fcParams(RUNS));
  });

  it('Signal contents (text, receipt, reach)', () => {
    fc.assert(
      fc.property(content, (c) => {
        expect(contentCodec.decode(contentCodec.encode(c))).toEqual(c);
      }),
      fcParams(RUNS),
    );
  });

  it('client -> relay frames, as the relay reads them', () => {
    fc.assert(fc.property(clientFrames, roundTrips(relayClientCodec, relayServerCodec.decode)), fcParams(RUNS));
  });

  it('relay -> client frames, as the client reads them', () => {
    fc.assert(fc.property(relayFrames, roundTrips(relayServerCodec, relayClientCodec.decode)), fcParams(RUNS));
  });
});

describe('wire codecs: a newer sender', () => {
  it('has its unknown content fields dropped, while known fields stay checked', () => {
    const text = { v: 1, t: 'text', id: 'a'.repeat(32), n: 3, body: 'hi', at: 1, via: 'both-relays' };
    const newer = Buffer.from(JSON.stringify({ ...text, reactions: ['👍'], edited: { at: 2 } }));
    expect(contentCodec.decode(newer)).toEqual(text);
    const receipt = Buffer.from(JSON.stringify({ v: 1, t: 'receipt', ids: ['b'.repeat(32)], readAt: 5 }));
    expect(contentCodec.decode(receipt)).toEqual({ v: 1, t: 'receipt', ids: ['b'.repeat(32)] });
    for (const bad of [
      { ...text, via: 'teleport' },
      { ...text, n: 0 },
      { ...text, id: 'short' },
      { ...text, v: 2 },
    ]) {
      expect(() => contentCodec.decode(Buffer.from(JSON.stringify(bad)))).toThrow(WireError);
    }
  });
});

describe('wire codecs: any bytes decode to a frame or a WireError', () => {
  const cases: Array<[string, (b: Buffer) => unknown, fc.Arbitrary<Buffer>]> = [
    ['peer frames', peerCodec.decode, peerFrames.map((f) => peerCodec.encode(f))],
    ['Signal contents', contentCodec.decode, content.map((c) => contentCodec.encode(c))],
    ['client -> relay', relayServerCodec.decode, clientFrames.map((f) => relayClientCodec.encode(f))],
    ['relay -> client', relayClientCodec.decode, relayFrames.map((f) => relayServerCodec.encode(f))],
    // What a relay connection reads: batches of frames (transport/batch.ts), lengths and all.
    [
      'batched client -> relay messages',
      (b: Buffer) => [...batchedFrames(b)].map((f) => relayServerCodec.decode(f)),
      fc.array(clientFrames, { minLength: 1, maxLength: 4 }).map((fs) => batchFrames(fs.map((f) => relayClientCodec.encode(f)))),
    ],
  ];
  it.each(cases)('%s', (_name, decode, valid) => {
    fc.assert(fc.property(garbage(valid), wireSafe(decode)), fcParams(GARBAGE_RUNS));
  });

  it('refuses frames over the size cap before parsing them', () => {
    const big = Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20);
    let err: unknown;
    try {
      peerCodec.decode(big);
    } catch (e) {
      err = e;
    }
    expect(WireError.is(err) && err.code).toBe('FRAME_TOO_LARGE');
  });

  it('a frame of one direction is refused by the other side', () => {
    // A relay that hears its own frame types back, or a client that hears requests, closes the link.
    fc.assert(
      fc.property(
        relayFrames.filter((f) => f.t !== 'circuit-data' && f.t !== 'circuit-close'),
        (f) => {
          expect(() => relayServerCodec.decode(relayServerCodec.encode(f))).toThrow(WireError);
        },
      ),
      fcParams(RUNS),
    );
  });
});

/* ---- DHT records: intro record value, BEP44 signable bytes, relay descriptor, relay reference ---- */

const alice = Identity.generate();
const introFields: fc.Arbitrary<IntroFields> = fc.record(
  {
    signalIdentityKey: fc.constant(alice.signalIdentityPublic),
    binding: fc.constant(alice.binding),
    transportKey: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
    endpoint: fc.oneof(
      fc.tuple(fc.ipV4(), port).map(([h, p]) => `${h}:${p}`),
      fc.tuple(fc.ipV6(), port).map(([h, p]) => `[${h}]:${p}`),
    ),
    relay: fc.uint8Array({ minLength: 0, maxLength: MAX_RELAY_BYTES }).map((b) => Buffer.from(b)),
    expiresAt: fc.integer({ min: 0, max: 0xffffffff }),
  },
  { requiredKeys: ['signalIdentityKey', 'binding', 'expiresAt'] },
);

/** Only the DHT layer's typed error may come out of a record decoder. */
function dhtSafe(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!DhtError.is(err)) throw new Error(`decoder threw ${String(err)}`, { cause: err });
  }
}

describe('DHT record codecs', () => {
  it('intro record values round-trip', () => {
    fc.assert(
      fc.property(introFields, (f) => {
        expect(decodeIntroValue(encodeIntro(f))).toEqual(f);
      }),
      fcParams(RUNS),
    );
  });

  it('any intro value decodes to fields or a DhtError (BAD_SCHEMA)', () => {
    const valid = introFields.map((f) => encodeIntro(f));
    const edited = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })).map(([b, edits]) => {
      const out = Buffer.from(b);
      for (const [at, to] of edits) out[at % out.length] = to;
      return out;
    });
    const cut = fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1)));
    const raw = fc.uint8Array({ maxLength: 1000 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(fc.oneof(edited, cut, raw), (b) => dhtSafe(() => decodeIntroValue(b))),
      fcParams(GARBAGE_RUNS),
    );
  });

  it('verifyIntro on any record (random keys, salts, seqs, values, signatures) throws only DhtErrors', () => {
    const record = fc.record({
      publicKey: fc.oneof(
        fc.constant(alice.identityKey.publicKey),
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      ),
      salt: fc.oneof(
        fc.constant(Buffer.from(INTRO_SALT)),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      ),
      seq: fc.oneof(fc.nat(), fc.double(), fc.integer({ min: -5, max: -1 })),
      value: fc.oneof(
        introFields.map((f) => encodeIntro(f)),
        fc.uint8Array({ maxLength: 1100 }).map((b) => Buffer.from(b)),
      ),
      signature: fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b)),
    });
    fc.assert(
      fc.property(record, fc.integer({ min: 0, max: 0xffffffff }), (r, now) => dhtSafe(() => verifyIntro(alice.id, r, now))),
      fcParams(RUNS),
    );
  });

  it('BEP44 signable bytes parse back to seq and value; other bytes parse to null, never throw', () => {
    const salt = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
    const val = fc.uint8Array({ maxLength: 1000 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(salt, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), val, (s, seq, value) => {
        expect(parseSignable(s, signable(s, seq, value))).toEqual({ seq, value });
      }),
      fcParams(RUNS),
    );
    fc.assert(
      fc.property(salt, fc.uint8Array({ maxLength: 1100 }), (s, bytes) => {
        const out = parseSignable(s, bytes);
        if (out) expect(signable(s, out.seq, out.value).equals(Buffer.from(bytes))).toBe(true);
      }),
      fcParams(GARBAGE_RUNS),
    );
  });

  it('relay descriptors round-trip, and any value decodes to one or a DhtError', () => {
    const key = Buffer.alloc(32, 9);
    const descriptor = fc.tuple(ip, port).map(([h, p]) => describeRelay(h, p, key, DEFAULT_LIMITS));
    fc.assert(
      fc.property(descriptor, (d) => {
        const value = Buffer.from(JSON.stringify(d));
        expect(value.length).toBeLessThanOrEqual(997); // fits a BEP44 value (1000 bytes bencoded)
        expect(decodeDescriptor(value, key)).toEqual(d);
        expect(() => decodeDescriptor(value, Buffer.alloc(32, 8))).toThrow(DhtError); // signed by another relay's key
      }),
      fcParams(RUNS),
    );
    fc.assert(
      fc.property(garbage(descriptor.map((d) => Buffer.from(JSON.stringify(d)))), (b) => dhtSafe(() => decodeDescriptor(b, key))),
      fcParams(GARBAGE_RUNS),
    );
  });

  it('relay references (IPv6 hosts too) fit the intro record and round-trip; anything else decodes to null', () => {
    const ref: fc.Arbitrary<RelayRef> = fc.record({ h: ip, p: port, k: id32, m: id32, b: id32 }).filter((r) => RelayRef.safeParse(r).success);
    fc.assert(
      fc.property(ref, (r) => {
        const bytes = encodeRelayRef(r);
        expect(bytes.length).toBeLessThanOrEqual(MAX_RELAY_BYTES);
        expect(decodeRelayRef(bytes)).toEqual(r);
      }),
      fcParams(RUNS),
    );
    fc.assert(
      fc.property(garbage(ref.map(encodeRelayRef)), (b) => {
        const out = decodeRelayRef(b);
        if (out !== null) expect(decodeRelayRef(encodeRelayRef(out))).toEqual(out);
      }),
      fcParams(GARBAGE_RUNS),
    );
  });
});

describe('prekey bundles (bundle frames and relay blobs)', () => {
  it('a mutated or random bundle is refused with an E2EError, never a crash; a changed key or signature never passes', async () => {
    const bob = Identity.generate();
    const bobE2E = new E2E({ db: openDb(':memory:'), identity: bob });
    const carol = new E2E({ db: openDb(':memory:'), identity: Identity.generate() });
    const bundle = (await bobE2E.createBundle()) as unknown as Record<string, unknown>;
    const keys = Object.keys(bundle);
    const mutated = fc.tuple(fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.nat(), fc.base64String({ maxLength: 120 }))).map(([k, val]) => ({
      ...bundle,
      [keys[k % keys.length]!]: val,
    }));
    /** The same bundle with one byte flipped inside one of its keys or signatures. */
    const flipped = fc
      .tuple(
        fc.constantFrom('signedPreKey', 'signedPreKeySignature', 'identityKey', 'kyberPreKeySignature', 'binding'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
      )
      .map(([k, at, x]) => {
        const b = Buffer.from(bundle[k] as string, 'base64');
        b[at % b.length]! ^= x;
        return { ...bundle, [k]: toB64(b) };
      });
    const refused = async (raw: unknown, asker = carol): Promise<boolean> => {
      try {
        await asker.startSession(bob.id, raw);
        return false;
      } catch (err) {
        if (!E2EError.is(err)) throw new Error(`startSession threw ${String(err)}`, { cause: err });
        return true;
      }
    };
    // A changed unsigned field (registration or prekey id) may pass; a changed key or signature never
    // does on first contact (later, Bob's stored identity key decides and the binding is not read again).
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.jsonValue({ maxDepth: 2 })), async (raw) => {
        await refused(raw);
      }),
      fcParams(scale(150, 3_000)),
    );
    await fc.assert(
      fc.asyncProperty(flipped, async (raw) => {
        expect(await refused(raw, new E2E({ db: openDb(':memory:'), identity: Identity.generate() }))).toBe(true);
      }),
      fcParams(scale(150, 3_000)),
    );
  });
});

describe('transport framing (the clear 3-byte length prefix of each Noise message)', () => {
  /** Messages framed as secret-stream frames them: 3-byte little-endian length, then the bytes. */
  const framed = (sizes: number[]) =>
    Buffer.concat(sizes.map((n) => Buffer.concat([Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]), Buffer.alloc(n, 7)])));
  /** The stream cut into chunks at arbitrary points, as TCP delivers it. */
  const chunked = (bytes: Buffer, cuts: number[]) => {
    const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length)).filter((c) => c.length > 0);
  };
  const feed = (chunks: Buffer[], max: number) => {
    const socket = new PassThrough();
    const seen: number[] = [];
    guardFrameSizes(socket, max, (n) => seen.push(n));
    for (const c of chunks) socket.emit('data', c);
    return seen;
  };

  it('reports the first frame over the cap, wherever TCP cuts the stream, and never a frame within it', () => {
    const max = 4096;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 * max }), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (sizes, cuts) => {
        const firstOver = sizes.find((n) => n > max);
        // Only the frames up to and including the first oversized one: its body is never sent.
        const sent = firstOver === undefined ? sizes : sizes.slice(0, sizes.indexOf(firstOver) + 1);
        const bytes = framed(sent);
        const cut = firstOver === undefined ? bytes : bytes.subarray(0, bytes.length - firstOver);
        expect(feed(chunked(cut, cuts), max)).toEqual(firstOver === undefined ? [] : [firstOver]);
      }),
      fcParams(RUNS),
    );
  });
});
