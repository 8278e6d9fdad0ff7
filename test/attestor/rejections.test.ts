import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { world } from '../helpers/people.js';
import { attestorWorld } from './helpers.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { CLOCK_SKEW_S, signable } from '../../src/dht/index.js';
import {
  AttestorClient,
  attestationSalt,
  encodeAttestationValue,
  findAttestations,
  lookupKeys,
  normaliseEmail,
  pinnedAttestors,
  signAttestation,
  verifyAttestation,
  SignupError,
} from '../../src/signup/index.js';

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a rejection');
};

describe('the attestor refuses bad codes and bad input with clear messages', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  let clock = Date.now();
  beforeAll(async () => {
    [w, a] = await Promise.all([world(6), attestorWorld({ now: () => clock, maxAttempts: 3, limits: { startsPerIdentifier: 4 } })]);
  });
  afterAll(async () => {
    await Promise.all([w.close(), a.close()]);
  });

  it('wrong, expired, reused codes and too many attempts', async () => {
    const gina = await w.start('gina');
    const s = gina.signup();
    const wrong = (c: string) => String((Number(c) + 1) % 1_000_000).padStart(6, '0');

    await s.startSignup({ attestor: a.url, kind: 'email', identifier: 'gina@example.org' });
    const c1 = await a.mailedCode('gina@example.org');
    expect(await code(s.verifyCode(wrong(c1)))).toMatchObject({
      code: 'ATTESTOR_WRONG_CODE',
      message: expect.stringMatching(/code is wrong; 2 attempts left/),
    });
    expect(await code(s.verifyCode('12ab56'))).toMatchObject({ code: 'ATTESTOR_MALFORMED_REQUEST', message: expect.stringMatching(/six digits/) });

    clock += 11 * 60_000; // codes live 10 minutes
    expect(await code(s.verifyCode(c1))).toMatchObject({ code: 'ATTESTOR_NO_SUCH_CODE', message: expect.stringMatching(/expired/) });

    await s.startSignup({ attestor: a.url, kind: 'email', identifier: 'gina@example.org' });
    const c2 = await a.mailedCode('gina@example.org');
    for (const left of [2, 1]) expect((await code(s.verifyCode(wrong(c2)))).message).toMatch(new RegExp(`${left} attempts? left`));
    expect(await code(s.verifyCode(wrong(c2)))).toMatchObject({ code: 'ATTESTOR_TOO_MANY_ATTEMPTS' });
    expect(await code(s.verifyCode(c2))).toMatchObject({ code: 'ATTESTOR_NO_SUCH_CODE' }); // cancelled: the right code no longer works

    await s.startSignup({ attestor: a.url, kind: 'email', identifier: 'gina@example.org' });
    const c3 = await a.mailedCode('gina@example.org');
    const pending = (gina.db.prepare("SELECT value FROM kv WHERE key = 'signup.pending'").get() as { value: string }).value;
    await s.verifyCode(c3);
    expect(await code(s.verifyCode(c3))).toMatchObject({ code: 'NO_PENDING' });
    // Replaying the used code straight at the attestor: single use.
    gina.db.prepare("INSERT INTO kv (key, value) VALUES ('signup.pending', ?)").run(pending);
    expect(await code(s.verifyCode(c3))).toMatchObject({ code: 'ATTESTOR_NO_SUCH_CODE', message: expect.stringMatching(/already used/) });

    // The per-identifier limit: a fourth code to the same address in the window is refused, in any spelling.
    await s.startSignup({ attestor: a.url, kind: 'email', identifier: 'GINA@example.org' });
    expect(await code(s.startSignup({ attestor: a.url, kind: 'email', identifier: 'gina@EXAMPLE.org' }))).toMatchObject({ code: 'ATTESTOR_TOO_MANY_REQUESTS' });
  });

  it('malformed addresses and numbers are refused before anything is sent, without echoing them', async () => {
    const hal = await w.start('hal');
    const s = hal.signup();
    for (const bad of [
      'hal',
      'hal@',
      '@example.org',
      'hal@@example.org',
      'hal@example',
      'h al@example.org',
      'hal..x@example.org',
      `${'x'.repeat(250)}@example.org`,
    ]) {
      const r = await code(s.startSignup({ attestor: a.url, kind: 'email', identifier: bad }));
      expect(r.code).toBe('BAD_EMAIL');
      if (bad.length > 3) expect(r.message).not.toContain(bad);
    }
    for (const [bad, region] of [
      ['12', 'CH'],
      ['+41 12', undefined],
      ['079 123 45 67', undefined],
      ['call me', 'CH'],
      ['+999 1234567', undefined],
    ] as const) {
      const r = await code(s.startSignup({ attestor: a.url, kind: 'phone', identifier: bad, ...(region ? { region } : {}) }));
      expect(r.code).toBe('BAD_PHONE');
      expect(r.message).not.toContain(bad);
    }
    // The attestor checks too (a client that skips normalisation gets the same answer, as a 400).
    const raw = await fetch(`${a.url}/v1/signup/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'email', identifier: 'nobody@nowhere', idKey: randomBytes(32).toString('base64') }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: 'BAD_IDENTIFIER' });
  });

  it('never answers 500 to junk', async () => {
    const bodies: Array<[string, string, string]> = [
      ['/v1/signup/start', 'application/json', '{'],
      ['/v1/signup/start', 'application/json', '[]'],
      ['/v1/signup/start', 'application/json', JSON.stringify({ kind: 'fax', identifier: 'x', idKey: 'AA==' })],
      ['/v1/signup/verify', 'application/json', JSON.stringify({ pending: 'x'.repeat(32), code: '123456', idSignature: 'x' })],
      ['/v1/signup/verify', 'application/json', JSON.stringify({ pending: '0'.repeat(32), code: '123456', idSignature: Buffer.alloc(64).toString('base64') })],
      ['/v1/oprf/evaluate', 'application/json', JSON.stringify({ kind: 'email', blinded: [Buffer.alloc(32, 0xff).toString('base64')] })],
      ['/v1/oprf/evaluate', 'application/json', JSON.stringify({ kind: 'email', blinded: Array(300).fill(Buffer.alloc(32).toString('base64')) })],
      ['/v1/unlink', 'application/json', JSON.stringify({ record: { publicKey: 'AA', salt: '', seq: -1, value: '', signature: '' }, idSignature: '' })],
      ['/v1/signup/start', 'text/plain', 'hello'],
      ['/v1/signup/start', 'application/json', JSON.stringify({ kind: 'email', identifier: 'x'.repeat(100_000) })],
      ['/v1/nothing', 'application/json', '{}'],
    ];
    for (const [path, type, body] of bodies) {
      const res = await fetch(a.url + path, { method: 'POST', headers: { 'content-type': type }, body });
      expect(res.status, `${path} ${body.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${path} ${body.slice(0, 40)}`).toBeLessThan(500);
      const json = (await res.json()) as { error: string; message: string };
      expect(json.message.length).toBeGreaterThan(10);
    }
  });

  it('answers any JSON on any endpoint with a 4xx and a sentence (fuzzed)', async () => {
    const paths = ['/v1/signup/start', '/v1/signup/verify', '/v1/oprf/evaluate', '/v1/unlink'];
    const shaped = fc.record(
      {
        kind: fc.oneof(fc.constantFrom('email', 'phone'), fc.string()),
        identifier: fc.oneof(fc.emailAddress(), fc.string()),
        idKey: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string()), // never a valid 32-byte key: nothing may succeed here
        pending: fc.stringMatching(/^[0-9a-f]{32}$/),
        code: fc.stringMatching(/^[0-9]{6}$/),
        blinded: fc.array(fc.base64String({ maxLength: 40 }), { maxLength: 3 }),
        idSignature: fc.base64String(),
        record: fc.anything(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(
          fc.json(),
          shaped.map((o) => JSON.stringify(o)),
        ),
        async (path, body) => {
          const res = await fetch(a.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const json = (await res.json()) as { error: string; message: string };
          expect(res.status, `${path} ${body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${path} ${body.slice(0, 80)}`).toBeLessThan(500);
          expect(json.message).toMatch(/^[a-z].*[^.]$/); // one sentence, in the house style
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a forged attestation in the DHT and one from an unknown attestor are rejected', async () => {
    const ivan = await w.start('ivan');
    const judy = await w.start('judy');
    const s = judy.signup();
    const info = await new AttestorClient(a.url).info();
    await s.startSignup({ attestor: a.url, kind: 'email', identifier: 'ivan@example.net' }).catch(() => {});
    const pinned = pinnedAttestors(judy.db)[0]!;
    const [key] = await lookupKeys(new AttestorClient(a.url), pinned, [normaliseEmail('mallory-target@example.org')], 256);
    const salt = attestationSalt(key!);
    // Mallory plants, on every DHT node, an "attestation" under the attestor's key naming Ivan, signed by her own key.
    const mallory = Ed25519KeyPair.fromSeed(randomBytes(32));
    const value = encodeAttestationValue({ kind: 'email', idKey: ivan.identity.identityKey.publicKey, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const forged = { publicKey: info.signingKey, salt, seq: Date.now(), value, signature: mallory.sign(signable(salt, Date.now(), value)) };
    for (const n of w.net.nodes) n.forTest().plant(forged);
    expect(await code(s.lookup('mallory-target@example.org'))).toMatchObject({
      code: 'FORGED_ATTESTATION',
      message: expect.stringMatching(/not the attestor's/),
    });
    const imported = await s.importContacts('BEGIN:VCARD\r\nEMAIL:mallory-target@example.org\r\nEND:VCARD\r\n');
    expect(imported).toMatchObject({ matches: [], rejected: { FORGED_ATTESTATION: 1 } });

    // A rogue attestor's record, perfectly signed by its own key: not trusted.
    const rogue = Ed25519KeyPair.fromSeed(randomBytes(32));
    const rogueRecord = signAttestation(rogue, salt, 1, 'email', ivan.identity.identityKey.publicKey, Math.floor(Date.now() / 1000) + 3600);
    expect(() => verifyAttestation(rogueRecord, { trusted: [info.signingKey], nowSeconds: Math.floor(Date.now() / 1000) })).toThrow(SignupError);
    expect(() => verifyAttestation(rogueRecord, { trusted: [info.signingKey], nowSeconds: 0 })).toThrow(/attestor you do not trust/);
    const roguePinned = { url: 'http://127.0.0.1:9', signingKey: rogue.publicKey, oprfKey: pinned.oprfKey };
    for (const n of w.net.nodes) n.forTest().plant(rogueRecord);
    await expect(findAttestations(w.net.nodes[1]!, roguePinned, [key!], { trusted: [info.signingKey], nowSeconds: 0 })).rejects.toMatchObject({
      code: 'UNKNOWN_ATTESTOR',
    });
    // And the real attestor's signature over an expired attestation.
    const expired = signAttestation(a.server.forTest().keys.signing, salt, 5, 'email', ivan.identity.identityKey.publicKey, 1000);
    expect(() => verifyAttestation(expired, { trusted: [info.signingKey], salt, nowSeconds: 1000 + CLOCK_SKEW_S + 1 })).toThrow(/expired/);
    // Within the clock-skew tolerance (a reader whose clock runs ahead), it still counts.
    expect(verifyAttestation(expired, { trusted: [info.signingKey], salt, nowSeconds: 1000 + CLOCK_SKEW_S - 60 }).id).toBe(ivan.identity.id);
  });
});
