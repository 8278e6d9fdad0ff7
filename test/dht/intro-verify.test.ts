import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Identity, randomBytes } from '../../src/identity/index.js';
import { CLOCK_SKEW_S, DhtError, encodeIntro, verifyIntro, VerifiedIntro } from '../../src/dht/index.js';
import { introOf, NOW, signedRecord } from './helpers.js';

const alice = Identity.generate();
const mallory = Identity.generate();

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (DhtError.is(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('verifyIntro', () => {
  it('accepts a genuine record and exposes its fields', () => {
    const intro = verifyIntro(alice.id, signedRecord(alice, encodeIntro(introOf(alice)), 9), NOW);
    expect(intro).toBeInstanceOf(VerifiedIntro);
    expect(intro.id).toBe(alice.id);
    expect(intro.seq).toBe(9);
    expect(intro.signalIdentityKey.equals(alice.signalIdentityPublic)).toBe(true);
    expect(intro.transportKey?.equals(alice.transportKey.publicKey)).toBe(true);
    expect(intro.endpoint).toBe('127.0.0.77:4000');
  });

  it('names what is wrong with a bad record', () => {
    const value = encodeIntro(introOf(alice));
    const good = signedRecord(alice, value);
    expect(codeOf(() => verifyIntro(mallory.id, good, NOW))).toBe('WRONG_KEY');
    expect(codeOf(() => verifyIntro(alice.id, { ...good, signature: randomBytes(64) }, NOW))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyIntro(alice.id, { ...good, seq: 2 }, NOW))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyIntro(alice.id, signedRecord(alice, value, 1, 'parley/other/1'), NOW))).toBe('BAD_SCHEMA');
    expect(codeOf(() => verifyIntro(alice.id, signedRecord(alice, randomBytes(997)), NOW))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => verifyIntro(alice.id, signedRecord(alice, randomBytes(120)), NOW))).toBe('BAD_SCHEMA');
    // Alice's key signed the record, but the Signal key inside is bound by Mallory's.
    const rebound = encodeIntro(introOf(alice, { signalIdentityKey: mallory.signalIdentityPublic, binding: mallory.binding }));
    expect(codeOf(() => verifyIntro(alice.id, signedRecord(alice, rebound), NOW))).toBe('BAD_BINDING');
    // Expired only once past its expiry by more than the clock skew allowed between two people.
    expect(verifyIntro(alice.id, good, NOW + 7200 + CLOCK_SKEW_S - 1).seq).toBe(1);
    expect(codeOf(() => verifyIntro(alice.id, good, NOW + 7200 + CLOCK_SKEW_S))).toBe('RECORD_EXPIRED');
  });

  it('is the only way to make a VerifiedIntro, and one prints without ID or endpoint', () => {
    const Ctor = VerifiedIntro as unknown as new (...args: unknown[]) => VerifiedIntro;
    expect(() => new Ctor(Symbol('VerifiedIntro'), alice.id, 1, introOf(alice))).toThrow(TypeError);
    const intro = verifyIntro(alice.id, signedRecord(alice, encodeIntro(introOf(alice))), NOW);
    for (const shown of [JSON.stringify({ intro }), inspect(intro), String(inspect({ intro }))]) {
      expect(shown).not.toContain(alice.id);
      expect(shown).not.toContain('127.0.0.77');
    }
    expect(Object.isFrozen(intro)).toBe(true);
  });
});
