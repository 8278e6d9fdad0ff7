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
    const longest = '[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535';
    const value = encodeIntro(introOf(alice, { endpoint: longest, relay: randomBytes(MAX_RELAY_BYTES) }));
    expect(value.length).toBe(103 + 32 + 1 + longest.length + 1 + MAX_RELAY_BYTES);
    expect(encodedLength(value)).toBeLessThan(MAX_VALUE_BYTES);
  });

  it('refuses to encode fields that break the schema', () => {
    expectSchemaError(() => encodeIntro(introOf(alice, { relay: randomBytes(MAX_RELAY_BYTES + 1) })), /relay reference/);
    expectSchemaError(() => encodeIntro(introOf(alice, { endpoint: 'no-port' })), /IP address and port/);
    expectSchemaError(() => encodeIntro(introOf(alice, { endpoint: '127.0.0.1:70000' })), /IP address and port/);
    expectSchemaError(() => encodeIntro(introOf(alice, { endpoint: '127.0.0.1:0' })), /IP address and port/);
  });

  it('refuses a record whose direct endpoint names a host instead of an IP address', () => {
    for (const endpoint of ['internal.corp:22', 'localhost:6379', 'attacker.example:443', '[::1:443']) {
      const fields = introOf(alice, { endpoint: '127.0.0.1:4000' });
      const good = encodeIntro(fields);
      // The same record as a stranger would write it by hand, with a name where the IP belongs.
      const named = Buffer.concat([good.subarray(0, 103 + 32), Buffer.from([endpoint.length]), Buffer.from(endpoint)]);
      expectSchemaError(() => decodeIntroValue(named), /IP address and port/);
    }
    for (const endpoint of ['127.0.0.1:4000', '203.0.113.7:443', '[2001:db8::1]:7000']) {
      expect(decodeIntroValue(encodeIntro(introOf(alice, { endpoint }))).endpoint).toBe(endpoint);
    }
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
