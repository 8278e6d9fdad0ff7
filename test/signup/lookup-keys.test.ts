import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { randomBytes } from '../../src/identity/index.js';
import {
  attestationSalt,
  blind,
  deriveOprfKeyPair,
  evaluateBlinded,
  evaluateIdentifier,
  finalize,
  normaliseAny,
  normaliseEmail,
  normalisePhone,
} from '../../src/signup/index.js';

describe('lookup keys (RFC 9497 POPRF over ristretto255)', () => {
  const keys = deriveOprfKeyPair(Buffer.alloc(32, 3));

  it('the blinded round trip gives the key the attestor computes from the identifier itself, per kind', () => {
    const ids = [normaliseEmail('Zoe@Example.org'), normalisePhone('+41 79 123 45 67')];
    for (const id of ids) {
      const b = blind(id.kind, [id.value], keys.publicKey);
      expect(b.blinded[0]!.includes(Buffer.from(id.value))).toBe(false);
      const { evaluated, proof } = evaluateBlinded(keys.secretKey, id.kind, b.blinded);
      const [k] = finalize(b, evaluated, proof);
      expect(k!.equals(evaluateIdentifier(keys.secretKey, id))).toBe(true);
      expect(k!.length).toBe(64);
    }
    // The same text as an email and as a phone would never share a key (domain separation by kind).
    const asEmail = evaluateIdentifier(keys.secretKey, { kind: 'email', value: '+41791234567' });
    expect(asEmail.equals(evaluateIdentifier(keys.secretKey, { kind: 'phone', value: '+41791234567' }))).toBe(false);
  });

  it('blinding is fresh each time, so the attestor cannot link two lookups of the same identifier', () => {
    const a = blind('email', ['zoe@example.org'], keys.publicKey);
    const b = blind('email', ['zoe@example.org'], keys.publicKey);
    expect(a.blinded[0]!.equals(b.blinded[0]!)).toBe(false);
  });

  it('an answer made with another key (or tampered with) fails the proof: BAD_PROOF, no lookup key', () => {
    const other = deriveOprfKeyPair(Buffer.alloc(32, 4));
    const b = blind('email', ['zoe@example.org', 'yan@example.org'], keys.publicKey);
    const wrongKey = evaluateBlinded(other.secretKey, 'email', b.blinded);
    expect(() => finalize(b, wrongKey.evaluated, wrongKey.proof)).toThrow(/did not prove/);
    const right = evaluateBlinded(keys.secretKey, 'email', b.blinded);
    expect(() => finalize(b, [right.evaluated[1]!, right.evaluated[0]!], right.proof)).toThrow(/did not prove/);
    expect(() => finalize(b, right.evaluated.slice(0, 1), right.proof)).toThrow(/did not prove/);
    expect(() => evaluateBlinded(keys.secretKey, 'email', [Buffer.alloc(32, 0xff)])).toThrow();
    expect(() => evaluateBlinded(keys.secretKey, 'email', [ristretto255.Point.ZERO.toBytes()])).toThrow();
  });

  it('the DHT salt is a 32-byte hash of the lookup key, different for every key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (a, b) => {
        expect(attestationSalt(a).length).toBe(32);
        expect(attestationSalt(a).equals(attestationSalt(b))).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
      { numRuns: 50 },
    );
    expect(attestationSalt(randomBytes(64)).length).toBe(32);
  });
});

describe('identifiers', () => {
  it('emails: case, spaces and NFC are normalised; dots and +tags are kept', () => {
    expect(normaliseEmail('  Ann.Lee+Parley@Example.ORG ').value).toBe('ann.lee+parley@example.org');
    expect(normaliseEmail('ann@example.org').value).not.toBe(normaliseEmail('a.nn@example.org').value);
    expect(normaliseAny('x@y.example').kind).toBe('email');
    expect(normaliseEmail('zoe@MÜNCHEN.de').value).toBe('zoe@xn--mnchen-3ya.de');
    expect(normaliseEmail('zoe@xn--mnchen-3ya.de').value).toBe(normaliseEmail('Zoe@münchen.de').value);
    expect(() => normaliseEmail('zoë@example.org')).toThrow(/before @/);
  });

  it('phones: national with a region, international, 00-prefix and tel: URIs give one E.164', () => {
    const forms: Array<[string, string | undefined]> = [
      ['079 123 45 67', 'CH'],
      ['+41 (0)79 123 45 67', undefined],
      ['0041791234567', 'CH'],
      ['tel:+41-79-123-45-67', undefined],
      ['+41.79.123.45.67', 'US'],
    ];
    for (const [f, r] of forms) expect(normalisePhone(f, r).value).toBe('+41791234567');
    expect(normaliseAny('(202) 555-0143', 'us').value).toBe('+12025550143');
    expect(() => normalisePhone('079 123 45 67')).toThrow(/national form and no region/);
    expect(() => normalisePhone('+41 79', undefined)).toThrow(/not a phone number/);
    expect(() => normalisePhone('+41 79 123 45 67', 'Switzerland')).toThrow(/two-letter/);
  });
});
