import { describe, expect, it } from 'vitest';
import { Identity, randomBytes } from '../../src/identity/index.js';
import { decodeIntroValue, DhtError, encodeIntro, MAX_RELAY_BYTES, MAX_VALUE_BYTES, encodedLength } from '../../src/dht/index.js';
import { introOf } from './helpers.js';

const alice = Identity.generate();

function expectSchemaError(fn: () => unknown, reason: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(DhtError.is(err) && err.code).toBe('BAD_SCHEMA');
    expect((err as Error).message).toMatch(reason);
    return;
  }
  throw new Error('expected BAD_SCHEMA');
}

describe('intro record value: version, flags, optional fields behind flag bits', () => {
  const optional = ['transportKey', 'endpoint', 'relay'] as const;
  for (let mask = 0; mask < 8; mask++) {
    const present = optional.filter((_, i) => mask & (1 << i));
    it(`round-trips with ${present.length ? present.join(' + ') : 'no optional fields'}`, () => {
      const full = introOf(alice, { relay: randomBytes(40) });
      const fields = { ...full };
      for (const name of optional) if (!present.includes(name)) delete fields[name];
      const value = encodeIntro(fields);
      expect(value[0]).toBe(1);
      expect(value[1]).toBe(mask);
      expect(decodeIntroValue(value)).toEqual(fields);
    });
  }

  it('stays far below the BEP44 limit even with every field at its maximum', () => {
    const value = encodeIntro(introOf(alice, { endpoint: `${'h'.repeat(249)}:65535`, relay: randomBytes(MAX_RELAY_BYTES) }));
    expect(value.length).toBe(647);
    expect(encodedLength(value)).toBeLessThan(MAX_VALUE_BYTES);
  });

  it('refuses to encode fields that break the schema', () => {
    expectSchemaError(() => encodeIntro(introOf(alice, { relay: randomBytes(MAX_RELAY_BYTES + 1) })), /relay reference/);
    expectSchemaError(() => encodeIntro(introOf(alice, { endpoint: 'no-port' })), /host:port/);
    expectSchemaError(() => encodeIntro(introOf(alice, { endpoint: '127.0.0.1:70000' })), /host:port/);
    expectSchemaError(() => encodeIntro(introOf(alice, { transportKey: randomBytes(31) })), /transport key/);
    expectSchemaError(() => encodeIntro(introOf(alice, { signalIdentityKey: randomBytes(33).fill(7, 0, 1) })), /type byte/);
    expectSchemaError(() => encodeIntro(introOf(alice, { expiresAt: -1 })), /./);
  });

  it('rejects malformed values with the reason', () => {
    const good = encodeIntro(introOf(alice));
    expectSchemaError(() => decodeIntroValue(Buffer.alloc(0)), /truncated/);
    expectSchemaError(() => decodeIntroValue(good.subarray(0, good.length - 1)), /truncated/);
    expectSchemaError(() => decodeIntroValue(Buffer.concat([good, Buffer.from([0])])), /trailing bytes/);
    expectSchemaError(() => decodeIntroValue(Buffer.concat([Buffer.from([2]), good.subarray(1)])), /unsupported version 2/);
    const unknownFlag = Buffer.from(good);
    unknownFlag[1]! |= 0x80;
    expectSchemaError(() => decodeIntroValue(unknownFlag), /unknown flag bits/);
  });

  it('never throws anything but a DhtError on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(i % 300);
      if (i % 3 === 0 && junk.length > 1) junk[0] = 1;
      try {
        decodeIntroValue(junk);
      } catch (err) {
        expect(DhtError.is(err)).toBe(true);
      }
    }
  });
});
