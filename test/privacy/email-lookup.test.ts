import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { received } from '../helpers/people.js';
import { attestorWorld } from '../attestor/helpers.js';
import { formatVcards, savedAttestations } from '../../src/signup/index.js';
import { targetOf } from '../../src/dht/index.js';
import { linkedIds, observedWorld, onRelay, watched } from './scenarios.js';

/**
 * First contact by email lookup: publishing an attestation names the ID (its value holds the key),
 * finding one names the email's hash; both go through an exit for relayed people, so no DHT node
 * ties either person's address to the attestation or to either ID.
 */
describe('what DHT nodes learn when relayed people sign up and find each other by email', () => {
  const seen = observedWorld();
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  beforeAll(async () => {
    a = await attestorWorld();
  });
  afterAll(async () => {
    await a.close();
  });

  it('the attestation is published and found through exits; neither address is tied to it or to an ID', async () => {
    const { w, obs } = seen;
    const alice = await w.start('alice', onRelay(w, 0));
    const bob = await w.start('bob', onRelay(w, 1));
    await alice.signup().startSignup({ attestor: a.url, kind: 'email', identifier: 'alice@example.org' });
    await alice.signup().verifyCode(await a.mailedCode('alice@example.org'));
    const result = await bob.signup().importContacts(formatVcards([{ name: 'Alice', emails: ['alice@example.org'], phones: [] }]), { attestor: a.url });
    expect(result.matches.map((m) => m.id)).toEqual([alice.id]);
    bob.addContact(alice.id, 'Alice');
    bob.send(alice.id, 'found you by your email address');
    await received(alice, bob.id, 1);

    const ids = await linkedIds(w, obs, alice, bob);
    const attestations = savedAttestations(alice.db).map((s) => targetOf(s.record.publicKey, s.record.salt));
    expect(attestations).toHaveLength(1);
    ids[0]!.targets.push(...attestations); // the attestation names Alice
    expect(obs.dhtLeaks(watched('Alice', alice), ids)).toEqual([]);
    expect(obs.dhtLeaks(watched('Bob', bob), ids)).toEqual([]);
    // It was published and looked up, from the relays' addresses.
    const fromRelays = w.net.relays.flatMap((r) => obs.dhtLeaks({ name: 'a relay', host: r.host, id: '' }, [ids[0]!]));
    expect(fromRelays.length).toBeGreaterThan(0);
  });
});
