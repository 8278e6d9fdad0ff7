import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { peerCodec } from '../../src/wire/peer-frames.js';
import { contentCodec } from '../../src/wire/content.js';
import { WireError } from '../../src/wire/errors.js';
import { MAX_FRAME_BYTES } from '../../src/wire/limits.js';

const Z32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const parleyId = fc.string({ unit: fc.constantFrom(...Z32), minLength: 52, maxLength: 52 });
const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max }).map((b) => Buffer.from(b));

const envelope = fc.record({
  from: parleyId,
  kind: fc.constantFrom('prekey' as const, 'whisper' as const),
  body: bytes(2048),
  bind: fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b)), { nil: undefined }),
});

/** Decoding arbitrary bytes either yields a valid frame or a WireError: never anything else. */
function decodesOrRefuses(decode: (b: Buffer) => unknown, input: Buffer): void {
  try {
    decode(input);
  } catch (err) {
    expect(WireError.is(err)).toBe(true);
  }
}

describe('wire codecs (properties)', () => {
  it('peer envelopes round-trip byte for byte', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const out = {
          v: 1 as const, t: 'env' as const, from: e.from, kind: e.kind, body: e.body.toString('base64'),
          ...(e.bind ? { bind: e.bind.toString('base64') } : {}),
        };
        const back = peerCodec.decode(peerCodec.encode(out));
        expect(back).toEqual({ v: 1, t: 'env', from: e.from, kind: e.kind, body: e.body, ...(e.bind ? { bind: e.bind } : {}) });
      }),
      { numRuns: 300 },
    );
  });

  it('text and receipt contents round-trip', () => {
    const text = fc.record({
      v: fc.constant(1 as const), t: fc.constant('text' as const), id: hex32, n: fc.integer({ min: 1, max: 2 ** 40 }),
      body: fc.string({ maxLength: 2000 }), at: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    const receipt = fc.record({ v: fc.constant(1 as const), t: fc.constant('receipt' as const), ids: fc.array(hex32, { minLength: 1, maxLength: 50 }) });
    fc.assert(fc.property(fc.oneof(text, receipt), (c) => {
      expect(contentCodec.decode(contentCodec.encode(c))).toEqual(c);
    }), { numRuns: 300 });
  });

  it("a newer sender's unknown fields in a content are dropped, while known fields stay checked", () => {
    const text = { v: 1, t: 'text', id: 'a'.repeat(32), n: 3, body: 'hi', at: 1, via: 'both-relays' };
    const newer = Buffer.from(JSON.stringify({ ...text, reactions: ['👍'], edited: { at: 2 } }));
    expect(contentCodec.decode(newer)).toEqual(text);
    const receipt = Buffer.from(JSON.stringify({ v: 1, t: 'receipt', ids: ['b'.repeat(32)], readAt: 5 }));
    expect(contentCodec.decode(receipt)).toEqual({ v: 1, t: 'receipt', ids: ['b'.repeat(32)] });
    for (const bad of [{ ...text, via: 'teleport' }, { ...text, n: 0 }, { ...text, id: 'short' }, { ...text, v: 2 }]) {
      expect(() => contentCodec.decode(Buffer.from(JSON.stringify(bad)))).toThrow(WireError);
    }
  });

  it('random and mutated bytes decode to a valid frame or a WireError, never a crash', () => {
    const valid = peerCodec.encode({ v: 1, t: 'env', from: 'y'.repeat(52), kind: 'whisper', body: 'AAAA' });
    const mutated = fc
      .array(fc.record({ at: fc.nat(valid.length - 1), to: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 })
      .map((edits) => {
        const b = Buffer.from(valid);
        for (const e of edits) b[e.at] = e.to;
        return b;
      });
    const truncated = fc.nat(valid.length).map((n) => valid.subarray(0, n));
    const json = fc.json().map((j) => Buffer.from(j));
    const raw = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b));
    for (const decode of [peerCodec.decode, contentCodec.decode]) {
      fc.assert(fc.property(fc.oneof(mutated, truncated, json, raw), (input) => decodesOrRefuses(decode, input)), { numRuns: 2000 });
    }
  });

  it('refuses frames over the size cap before parsing them', () => {
    const big = Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20);
    const err = (() => {
      try {
        peerCodec.decode(big);
      } catch (e) {
        return e;
      }
    })();
    expect(WireError.is(err) && err.code).toBe('FRAME_TOO_LARGE');
  });
});
