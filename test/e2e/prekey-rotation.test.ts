import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E, E2EError, type BundleJson } from '../../src/e2e/index.js';
import { PREKEY_POLICY } from '../../src/e2e/prekeys.js';
import { Identity } from '../../src/identity/index.js';
import { openDb, type Db } from '../../src/store/index.js';

const DAY = 24 * 3600_000;

/** A clock the test moves by hand. */
function clock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function party(dir: string, name: string, now: () => Date) {
  const identity = Identity.generate();
  const db = openDb(join(dir, `${name}.db`));
  return { identity, db, e2e: new E2E({ db, identity, now }) };
}
type Party = ReturnType<typeof party>;

async function firstMessage(from: Party, to: Party, bundle: BundleJson, text: string) {
  await from.e2e.startSession(to.identity.id, bundle);
  const env = await from.e2e.encrypt(to.identity.id, Buffer.from(text));
  expect(env.kind).toBe('prekey');
  return () => to.e2e.decrypt(from.identity.id, env.kind, env.body, from.identity.binding).then((r) => r.plaintext.toString());
}

const count = (db: Db, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-prekeys-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('prekey rotation on an injected clock', () => {
  it(
    'rotates the signed and last-resort prekeys on schedule; old ones open messages during the grace period and are deleted after',
    withDir(async (dir) => {
      const bobClock = clock();
      const bob = party(dir, 'bob', bobClock.now);
      const early = clock(); // senders who fetched Bob's published bundle before the rotation
      const alice = party(dir, 'alice', early.now);
      const dave = party(dir, 'dave', early.now);
      const old = await bob.e2e.createBundle(true);
      expect(await bob.e2e.rotatePrekeys()).toBe(false); // nothing due yet
      const aliceOpens = await firstMessage(alice, bob, old, 'to the old keys, inside the grace period');
      const daveOpens = await firstMessage(dave, bob, old, 'to the old keys, after the grace period');

      bobClock.advance(PREKEY_POLICY.rotateMs + 1);
      expect(await bob.e2e.rotatePrekeys()).toBe(true); // the published bundle is stale: publish again
      const fresh = await bob.e2e.createBundle(true);
      expect(await bob.e2e.rotatePrekeys()).toBe(false);
      expect(fresh.signedPreKeyId).not.toBe(old.signedPreKeyId);
      expect(fresh.kyberPreKeyId).not.toBe(old.kyberPreKeyId);
      expect(fresh.signedPreKey).not.toBe(old.signedPreKey);

      // A newcomer opens a session with the new bundle.
      const carol = party(dir, 'carol', bobClock.now);
      expect(await (await firstMessage(carol, bob, fresh, 'hello new keys'))()).toBe('hello new keys');
      // A message encrypted to the replaced keys still opens while the grace period lasts.
      bobClock.advance(PREKEY_POLICY.graceMs - DAY);
      await bob.e2e.rotatePrekeys();
      expect(await aliceOpens()).toBe('to the old keys, inside the grace period');

      // After it, the replaced keys are gone from the database, and so is what they could open.
      bobClock.advance(2 * DAY);
      await bob.e2e.rotatePrekeys();
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_signed_prekeys WHERE id = ?', old.signedPreKeyId)).toBe(0);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_kyber_prekeys WHERE id = ?', old.kyberPreKeyId)).toBe(0);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_kyber_base_keys_seen WHERE kyber_prekey_id = ?', old.kyberPreKeyId)).toBe(0);
      const err = await daveOpens().catch((e) => e);
      expect(E2EError.is(err) && err.code).toBe('DECRYPT_FAILED');
      // The current keys (rotated again meanwhile, on schedule) keep working.
      const current = await bob.e2e.createBundle(true);
      const erin = party(dir, 'erin', bobClock.now);
      expect(await (await firstMessage(erin, bob, current, 'still fine'))()).toBe('still fine');
    }),
  );

  it(
    'deletes one-time prekeys nobody used once the grace period is over',
    withDir(async (dir) => {
      const c = clock();
      const bob = party(dir, 'bob', c.now);
      for (let i = 0; i < 3; i++) await bob.e2e.createBundle(false, `asker ${i}`);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_prekeys')).toBe(3);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_kyber_prekeys WHERE last_resort = 0')).toBe(3);
      c.advance(PREKEY_POLICY.graceMs + 1);
      await bob.e2e.rotatePrekeys();
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_prekeys')).toBe(0);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_kyber_prekeys WHERE last_resort = 0')).toBe(0);
    }),
  );
});

describe('one-time prekey minting', () => {
  it(
    'is rationed per requester and bounded in the store, and sessions still open past the bound',
    withDir(async (dir) => {
      const c = clock();
      const bob = party(dir, 'bob', c.now);
      const oneTime = (b: BundleJson) => b.preKeyId !== undefined;

      const mine: boolean[] = [];
      for (let i = 0; i < PREKEY_POLICY.perRequester + 2; i++) mine.push(oneTime(await bob.e2e.createBundle(false, 'one asker')));
      expect(mine).toEqual([...Array(PREKEY_POLICY.perRequester).fill(true), false, false]);
      c.advance(PREKEY_POLICY.windowMs + 1);
      expect(oneTime(await bob.e2e.createBundle(false, 'one asker'))).toBe(true); // a new window

      // A flood of distinct requesters cannot grow the store past its bound.
      let last: BundleJson | null = null;
      for (let i = 0; i < PREKEY_POLICY.maxOneTime + 50; i++) last = await bob.e2e.createBundle(false, `flood ${i}`);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_prekeys')).toBe(PREKEY_POLICY.maxOneTime);
      expect(count(bob.db, 'SELECT count(*) AS n FROM signal_kyber_prekeys WHERE last_resort = 0')).toBe(PREKEY_POLICY.maxOneTime);
      expect(oneTime(last!)).toBe(false);

      // Whoever asks past the bound still gets a bundle a session opens with (the last-resort one).
      const alice = party(dir, 'alice', c.now);
      expect(await (await firstMessage(alice, bob, last!, 'past the bound'))()).toBe('past the bound');
    }),
  );
});
