import { describe, expect, it } from 'vitest';
import { encodedLength, hasValidSignature, MAX_VALUE_BYTES, signable, targetOf } from '../../src/dht/index.js';
import vectors from './bep44.vectors.json' with { type: 'json' };

const hex = (s: string) => Buffer.from(s, 'hex');

describe('BEP44 (published test vectors)', () => {
  for (const v of vectors.mutable) {
    const record = {
      publicKey: hex(v.publicKey),
      salt: Buffer.from(v.salt),
      seq: v.seq,
      value: Buffer.from(v.value),
      signature: hex(v.signature),
    };

    it(`${v.name}: signs exactly the bytes the spec lists`, () => {
      expect(signable(record.salt, record.seq, record.value).toString()).toBe(v.signable);
    });

    it(`${v.name}: the spec's signature verifies`, () => {
      expect(hasValidSignature(record)).toBe(true);
    });

    it(`${v.name}: is stored under the spec's target`, () => {
      expect(targetOf(record.publicKey, record.salt).toString('hex')).toBe(v.target);
    });

    it(`${v.name}: any change to value, seq or salt breaks the signature`, () => {
      expect(hasValidSignature({ ...record, value: Buffer.from('Hello World?') })).toBe(false);
      expect(hasValidSignature({ ...record, seq: 2 })).toBe(false);
      expect(hasValidSignature({ ...record, salt: Buffer.from('other') })).toBe(false);
    });
  }

  it('measures values as BEP44 does: bencoded, so 996 raw bytes are the most that fit in 1000', () => {
    expect(encodedLength(Buffer.from('Hello World!'))).toBe('12:Hello World!'.length);
    expect(encodedLength(Buffer.alloc(996))).toBe(MAX_VALUE_BYTES);
    expect(encodedLength(Buffer.alloc(997))).toBe(MAX_VALUE_BYTES + 1);
  });
});
