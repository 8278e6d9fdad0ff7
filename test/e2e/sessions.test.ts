import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E, E2EError, type BundleJson } from '../../src/e2e/index.js';
import { Identity } from '../../src/identity/index.js';
import { openDb } from '../../src/store/index.js';
import { toB64 } from '../../src/wire/bytes.js';

const text = (s: string) => Buffer.from(s);

function party(dir: string, name: string, identity = Identity.generate()) {
  const db = openDb(join(dir, `${name}.db`));
  return { identity, db, e2e: new E2E({ db, identity }) };
}

async function pair(dir: string) {
  const alice = party(dir, 'alice');
  const bob = party(dir, 'bob');
  await alice.e2e.startSession(bob.identity.id, await bob.e2e.createBundle());
  return { alice, bob };
}

async function deliver(from: ReturnType<typeof party>, to: ReturnType<typeof party>, msg: string) {
  const env = await from.e2e.encrypt(to.identity.id, text(msg));
  const out = await to.e2e.decrypt(from.identity.id, env.kind, env.body, env.kind === 'prekey' ? from.identity.binding : undefined);
  return out.plaintext.toString();
}

function withDir<T>(fn: (dir: string) => Promise<T>): () => Promise<T> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
    try {
      return await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('Signal sessions over SQLite', () => {
  it(
    'open with PQXDH from a bundle and ratchet both ways, tolerating reordering',
    withDir(async (dir) => {
      const { alice, bob } = await pair(dir);
      const first = await alice.e2e.encrypt(bob.identity.id, text('hello'));
      expect(first.kind).toBe('prekey');
      expect((await bob.e2e.decrypt(alice.identity.id, 'prekey', first.body, alice.identity.binding)).plaintext.toString()).toBe('hello');
      expect(await deliver(bob, alice, 'hi back')).toBe('hi back');
      const later = [];
      for (let i = 0; i < 5; i++) later.push(await alice.e2e.encrypt(bob.identity.id, text(`m${i}`)));
      expect(later.every((e) => e.kind === 'whisper')).toBe(true);
      const order = [3, 0, 4, 1, 2];
      const got = [];
      for (const i of order) got.push((await bob.e2e.decrypt(alice.identity.id, 'whisper', later[i]!.body)).plaintext.toString());
      expect(got).toEqual(order.map((i) => `m${i}`));
    }),
  );

  it(
    'keep ratcheting after both sides restart from their database files',
    withDir(async (dir) => {
      const { alice, bob } = await pair(dir);
      expect(await deliver(alice, bob, 'before')).toBe('before');
      expect(await deliver(bob, alice, 'ack')).toBe('ack');
      alice.db.close();
      bob.db.close();
      const alice2 = party(dir, 'alice', alice.identity);
      const bob2 = party(dir, 'bob', bob.identity);
      expect(await deliver(alice2, bob2, 'after')).toBe('after');
      expect(await deliver(bob2, alice2, 'after too')).toBe('after too');
    }),
  );

  it(
    'refuse a bundle whose key is not bound to the expected ID, and a tampered signature',
    withDir(async (dir) => {
      const alice = party(dir, 'alice');
      const bob = party(dir, 'bob');
      const mallory = Identity.generate();
      const bundle = await bob.e2e.createBundle();
      const forgedBinding: BundleJson = { ...bundle, binding: toB64(mallory.binding) };
      const e1 = await alice.e2e.startSession(bob.identity.id, forgedBinding).catch((e) => e);
      expect(E2EError.is(e1) && e1.code).toBe('UNTRUSTED_IDENTITY');
      const sig = Buffer.from(bundle.signedPreKeySignature, 'base64');
      sig[0]! ^= 1;
      const e2 = await alice.e2e.startSession(bob.identity.id, { ...bundle, signedPreKeySignature: toB64(sig) }).catch((e) => e);
      expect(E2EError.is(e2) && e2.code).toBe('BAD_BUNDLE');
      const e3 = await alice.e2e.startSession(bob.identity.id, { nonsense: true }).catch((e) => e);
      expect(E2EError.is(e3) && e3.message).toMatch(/malformed/);
      expect(await alice.e2e.hasSession(bob.identity.id)).toBe(false);
    }),
  );

  it(
    'refuse a first message whose sender binding is missing or forged, storing nothing',
    withDir(async (dir) => {
      const { alice, bob } = await pair(dir);
      const env = await alice.e2e.encrypt(bob.identity.id, text('hi'));
      const noBinding = await bob.e2e.decrypt(alice.identity.id, 'prekey', env.body).catch((e) => e);
      expect(E2EError.is(noBinding) && noBinding.code).toBe('UNTRUSTED_IDENTITY');
      const forged = await bob.e2e.decrypt(alice.identity.id, 'prekey', env.body, Identity.generate().binding).catch((e) => e);
      expect(E2EError.is(forged) && forged.code).toBe('UNTRUSTED_IDENTITY');
      expect(await bob.e2e.remoteIdentity(alice.identity.id)).toBeNull();
      expect((await bob.e2e.decrypt(alice.identity.id, 'prekey', env.body, alice.identity.binding)).plaintext.toString()).toBe('hi');
    }),
  );

  it(
    'reject a replayed ciphertext with DECRYPT_FAILED',
    withDir(async (dir) => {
      const { alice, bob } = await pair(dir);
      await deliver(alice, bob, 'one');
      await deliver(bob, alice, 'two');
      const env = await alice.e2e.encrypt(bob.identity.id, text('once'));
      await bob.e2e.decrypt(alice.identity.id, env.kind, env.body);
      const again = await bob.e2e.decrypt(alice.identity.id, env.kind, env.body).catch((e) => e);
      expect(E2EError.is(again) && again.code).toBe('DECRYPT_FAILED');
    }),
  );

  it(
    'consume one-time prekeys and give both sides the same 60-digit safety number',
    withDir(async (dir) => {
      const { alice, bob } = await pair(dir);
      const count = () => (bob.db.prepare('SELECT count(*) AS n FROM signal_prekeys').get() as { n: number }).n;
      expect(count()).toBe(1);
      await deliver(alice, bob, 'uses the prekey');
      expect(count()).toBe(0);
      const a = await alice.e2e.safetyNumber(bob.identity.id);
      const b = await bob.e2e.safetyNumber(alice.identity.id);
      expect(a!.digits).toMatch(/^\d{60}$/);
      expect(a!.digits).toBe(b!.digits);
    }),
  );
});

describe('published bundles (last-resort Kyber, no one-time prekey)', () => {
  it(
    'open sessions for several people, and refuse a replayed first message',
    withDir(async (dir) => {
      const bob = party(dir, 'bob');
      const published = await bob.e2e.createBundle(true);
      expect(published.preKeyId).toBeUndefined();
      for (const name of ['alice', 'carol']) {
        const p = party(dir, name);
        await p.e2e.startSession(bob.identity.id, published);
        const env = await p.e2e.encrypt(bob.identity.id, text(`hi from ${name}`));
        expect((await bob.e2e.decrypt(p.identity.id, env.kind, env.body, p.identity.binding)).plaintext.toString()).toBe(`hi from ${name}`);
      }
    }),
  );
});
