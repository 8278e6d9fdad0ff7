import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world } from '../helpers/people.js';
import { attestorWorld } from '../attestor/helpers.js';
import { DhtNode } from '../../src/dht/index.js';
import { AttestationKeeper } from '../../src/signup/index.js';
import { until } from '../helpers/until.js';
import { capturingLogger } from '../helpers/log-capture.js';

describe('the keeper republishes attestations', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  beforeAll(async () => {
    [w, a] = await Promise.all([world(5), attestorWorld()]);
  });
  afterAll(async () => {
    await Promise.all([w.close(), a.close()]);
  });

  it('puts the signed record back after every DHT node forgot it (nobody can re-sign it, and nobody needs to)', async () => {
    const pat = await w.start('pat');
    const quinn = await w.start('quinn');
    await pat.signup().startSignup({ attestor: a.url, kind: 'email', identifier: 'pat@example.org' });
    await pat.signup().verifyCode(await a.mailedCode('pat@example.org'));
    expect((await quinn.signup().lookup('pat@example.org', { attestor: a.url }))?.id).toBe(pat.id);

    for (const n of w.net.nodes) (n.forTest().dht._values as unknown as { clear(): void }).clear();
    expect(await quinn.signup().lookup('pat@example.org')).toBeNull();

    const dht = new DhtNode({ bootstrap: w.net.bootstrap, host: '127.0.0.40' });
    await dht.start();
    const keeper = new AttestationKeeper({ dht, db: pat.db }, { intervalMs: 200, pollMs: 50 });
    await keeper.start();
    try {
      expect((await quinn.signup().lookup('pat@example.org'))?.id).toBe(pat.id);
      // Forgotten again: the next interval brings it back.
      for (const n of w.net.nodes) (n.forTest().dht._values as unknown as { clear(): void }).clear();
      await until(async () => (await quinn.signup().lookup('pat@example.org'))?.id === pat.id, 'the keeper to publish the attestation again', 10_000);
    } finally {
      await keeper.stop();
      await dht.stop();
    }
  });

  it('counts a record every DHT node already holds as published, instead of retrying it every few seconds', async () => {
    const sam = await w.start('sam');
    await sam.signup().startSignup({ attestor: a.url, kind: 'email', identifier: 'sam@example.org' });
    await sam.signup().verifyCode(await a.mailedCode('sam@example.org'));
    const dht = new DhtNode({ bootstrap: w.net.bootstrap, host: '127.0.0.41' });
    await dht.start();
    const first = new AttestationKeeper({ dht, db: sam.db }, { intervalMs: 60_000, pollMs: 60_000 });
    await first.start();
    await first.stop();
    // Sam's device restarted: every storing node it reaches holds this seq and answers "seq too low".
    const { logger, lines } = capturingLogger();
    const keeper = new AttestationKeeper({ dht, db: sam.db, logger }, { intervalMs: 60_000, pollMs: 60_000 });
    try {
      await keeper.start(); // one pass over the saved attestations
      expect(lines.join('')).not.toMatch(/could not publish an attestation/);
    } finally {
      await keeper.stop();
      await dht.stop();
    }
  });
});
