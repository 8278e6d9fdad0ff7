import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ed25519KeyPair } from '../../src/identity/index.js';
import { CLOCK_SKEW_S } from '../../src/dht/index.js';
import {
  decodeAttestationValue,
  encodeAttestationValue,
  formatCsv,
  formatVcards,
  parseCsv,
  parseVcards,
  signAttestation,
  signTombstone,
  verifyAttestation,
  SignupError,
  type ContactCard,
} from '../../src/signup/index.js';

const attestor = Ed25519KeyPair.fromSeed(Buffer.alloc(32, 7));
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => Buffer.from(u));
const expiry = fc.integer({ min: 0, max: 0xffffffff });
const kind = fc.constantFrom('email' as const, 'phone' as const);

describe('attestation record', () => {
  it('encode → decode is the identity, and the value is 38 bytes (6 for a tombstone)', () => {
    fc.assert(
      fc.property(kind, key32, expiry, (k, idKey, expiresAt) => {
        const v = encodeAttestationValue({ kind: k, idKey, expiresAt });
        expect(v.length).toBe(38);
        expect(decodeAttestationValue(v)).toEqual({ kind: k, idKey, expiresAt });
        const t = encodeAttestationValue({ kind: 'withdrawn', expiresAt });
        expect(t.length).toBe(6);
        expect(decodeAttestationValue(t)).toEqual({ kind: 'withdrawn', expiresAt });
      }),
    );
  });

  it('random bytes either decode to something that re-encodes to the same bytes, or fail with BAD_ATTESTATION', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (u) => {
        const b = Buffer.from(u);
        let v;
        try {
          v = decodeAttestationValue(b);
        } catch (err) {
          expect(SignupError.is(err) && err.code).toBe('BAD_ATTESTATION');
          return;
        }
        expect(encodeAttestationValue(v).equals(b)).toBe(true);
      }),
    );
  });

  it('a signed record verifies; any flipped bit in salt, value or signature is rejected', () => {
    fc.assert(
      fc.property(kind, key32, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat({ max: 38 * 8 + 32 * 8 + 64 * 8 - 1 }), (k, idKey, saltU, bit) => {
        const salt = Buffer.from(saltU);
        const rec = signAttestation(attestor, salt, 42, k, idKey, 2_000_000_000);
        const ok = verifyAttestation(rec, { trusted: [attestor.publicKey], salt, nowSeconds: 1_900_000_000 });
        expect([ok.kind, ok.expiresAt, ok.seq]).toEqual([k, 2_000_000_000, 42]);
        const parts = { value: Buffer.from(rec.value), salt: Buffer.from(rec.salt), signature: Buffer.from(rec.signature) };
        const field = bit < 38 * 8 ? 'value' : bit < 38 * 8 + 256 ? 'salt' : 'signature';
        const at = field === 'value' ? bit : field === 'salt' ? bit - 38 * 8 : bit - 38 * 8 - 256;
        parts[field][at >> 3]! ^= 1 << (at & 7);
        expect(() => verifyAttestation({ ...rec, ...parts }, { trusted: [attestor.publicKey], nowSeconds: 1_900_000_000 })).toThrow(SignupError);
      }),
      { numRuns: 60 },
    );
  });

  it('rejections say why: unknown attestor, wrong salt, expired, withdrawn', () => {
    const salt = Buffer.alloc(32, 1);
    const rec = signAttestation(attestor, salt, 1, 'email', Buffer.alloc(32, 2), 1000);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as SignupError).code;
      }
      return 'ok';
    };
    expect(codeOf(() => verifyAttestation(rec, { trusted: [Buffer.alloc(32)], nowSeconds: 0 }))).toBe('UNKNOWN_ATTESTOR');
    expect(codeOf(() => verifyAttestation(rec, { trusted: [attestor.publicKey], salt: Buffer.alloc(32, 9), nowSeconds: 0 }))).toBe('WRONG_SALT');
    expect(codeOf(() => verifyAttestation(rec, { trusted: [attestor.publicKey], nowSeconds: 1000 + CLOCK_SKEW_S }))).toBe('ATTESTATION_EXPIRED');
    expect(codeOf(() => verifyAttestation(signTombstone(attestor, salt, 2, 1000), { trusted: [attestor.publicKey], nowSeconds: 0 }))).toBe('WITHDRAWN');
    expect(codeOf(() => verifyAttestation({ ...rec, value: Buffer.alloc(1200) }, { trusted: [attestor.publicKey], nowSeconds: 0 }))).toBe(
      'ATTESTATION_TOO_LARGE',
    );
  });
});

// Text that survives a vCard or CSV round trip: no control characters, no leading/trailing space, not empty.
const text = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 ,;:"\\\'.-+@éü漢😀'.split('').concat(['😀'])), minLength: 1, maxLength: 90 })
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && !s.includes(':::'));
const email = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,20}\.[a-z]{2,6}$/)).map(([l, d]) => `${l}@${d}`);
const phone = fc.stringMatching(/^\+[1-9][0-9]{6,14}$/);
const card: fc.Arbitrary<ContactCard> = fc.record(
  { name: text, emails: fc.array(email, { maxLength: 4 }), phones: fc.array(phone, { maxLength: 4 }) },
  { requiredKeys: ['emails', 'phones'] },
);

describe('vCard', () => {
  it('format → parse is the identity, whatever the folding', () => {
    fc.assert(
      fc.property(fc.array(card, { minLength: 1, maxLength: 8 }), (cards) => {
        expect(parseVcards(formatVcards(cards))).toEqual(cards);
      }),
    );
  });

  it('reads vCard 3 folded lines, groups, parameters, several EMAIL/TEL and LF-only files', () => {
    const vcf = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Liddell;Alice;;;',
      'FN:Alice',
      ' Liddell',
      'item1.EMAIL;TYPE=INTERNET,pref:alice@exa',
      '\tmple.org',
      'EMAIL;type=work:a.liddell@work.example',
      'TEL;TYPE=CELL:+41 79 123 45 67',
      'TEL;VALUE=uri:tel:+1-202-555-0143',
      'NOTE:ignored\\, really',
      'END:VCARD',
      'begin:vcard',
      'n:Hatter;Mad',
      'tel:044 668 18 00',
      'end:vcard',
      'BEGIN:VCARD',
      'FN;ENCODING=QUOTED-PRINTABLE:Z=C3=BCrich',
      'EMAIL:open@card.example',
    ].join('\n');
    expect(parseVcards(vcf)).toEqual([
      { name: 'AliceLiddell', emails: ['alice@example.org', 'a.liddell@work.example'], phones: ['+41 79 123 45 67', '+1-202-555-0143'] },
      { name: 'Mad Hatter', emails: [], phones: ['044 668 18 00'] },
      { name: 'Zürich', emails: ['open@card.example'], phones: [] },
    ]);
    expect(() => parseVcards('just text')).toThrow(/no BEGIN:VCARD/);
  });

  it('never throws anything but BAD_CONTACTS on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          parseVcards('BEGIN:VCARD\n' + s);
          parseVcards(s);
        } catch (err) {
          expect(SignupError.is(err) && err.code).toBe('BAD_CONTACTS');
        }
      }),
    );
  });
});

describe('CSV', () => {
  it('format → parse keeps names, emails and phones under a header', () => {
    fc.assert(
      fc.property(fc.array(card, { maxLength: 8 }), (cards) => {
        const rows = [['Name', 'E-mail 1 - Value', 'Phone 1 - Value'], ...cards.map((c) => [c.name ?? '', c.emails.join(' ::: '), c.phones.join(' ::: ')])];
        const parsed = parseCsv(formatCsv(rows));
        const want = cards
          .filter((c) => c.name || c.emails.length || c.phones.length)
          .map((c) => ({ ...(c.name ? { name: c.name } : {}), emails: c.emails, phones: c.phones }));
        expect(parsed).toEqual(want);
      }),
    );
  });

  it('reads quoted fields with commas, doubled quotes and line breaks; semicolons; no header', () => {
    expect(parseCsv('First Name;Last Name;E-mail Address;Mobile Phone\n"Ann ""Jo""";Lee;ann@example.org;+41 79 123 45 67\n')).toEqual([
      { name: 'Ann "Jo"', emails: ['ann@example.org'], phones: ['+41 79 123 45 67'] },
    ]);
    expect(parseCsv('"Bo, B.",bo@example.org,"+1 202\n555 0143"\r\nCy,,044 668 18 00')).toEqual([
      { name: 'Bo, B.', emails: ['bo@example.org'], phones: ['+1 202\n555 0143'] },
      { name: 'Cy', emails: [], phones: ['044 668 18 00'] },
    ]);
    expect(() => parseCsv('a,"b\n')).toThrow(/never closed/);
  });

  it('never throws anything but BAD_CONTACTS on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          parseCsv(s);
        } catch (err) {
          expect(SignupError.is(err) && err.code).toBe('BAD_CONTACTS');
        }
      }),
    );
  });
});
