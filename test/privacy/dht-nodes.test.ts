import { describe, expect, it } from 'vitest';
import { received } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { firstContact, linkedIds, observedWorld, onRelay, talk, watched } from './scenarios.js';

/**
 * Threat-model row "a DHT node that stores or answers your queries": for a `relayed` person, never
 * their IP together with their ID, nor which IDs they look up. Every DHT node of the world (the
 * testnet's, the relays', the people's) reports what it received; the test then asks whether any
 * query from a person's address, or answer to it, named their ID or a contact's.
 */
describe('what DHT nodes learn of relayed people', () => {
  const seen = observedWorld();

  it('relayed + relayed on two relays, first contact by ID: no DHT node ties either address to either ID', async () => {
    const { w, obs } = seen;
    const alice = await w.start('alice', onRelay(w, 0));
    const bob = await w.start('bob', onRelay(w, 1));
    await firstContact(alice, bob);
    await talk(alice, bob, 2);
    const ids = await linkedIds(w, obs, alice, bob);
    expect(obs.dhtLeaks(watched('Alice', alice), ids)).toEqual([]);
    expect(obs.dhtLeaks(watched('Bob', bob), ids)).toEqual([]);
    // The harness does see those questions: they were asked, from the relays' addresses.
    const fromRelays = w.net.relays.flatMap((r) => obs.dhtLeaks({ name: 'a relay', host: r.host, id: '' }, ids));
    expect(fromRelays).toEqual(expect.arrayContaining([expect.stringMatching(/put query/), expect.stringMatching(/get query/)]));
  });

  it('relayed + direct: the one who lets the other see their IP still asks the DHT through a relay', async () => {
    const { w, obs } = seen;
    const [carol, dave] = await w.pair('carol', 'dave', { a: onRelay(w, 0), b: onRelay(w, 1) });
    dave.setVisibility(carol.id, 'direct');
    await talk(carol, dave, 2);
    const ids = await linkedIds(w, obs, carol, dave);
    expect(obs.dhtLeaks(watched('Carol', carol), ids)).toEqual([]);
    expect(obs.dhtLeaks(watched('Dave', dave), ids)).toEqual([]);
  });

  it('offline delivery and a restart: republishing after the restart leaves through a relay too', async () => {
    const { w, obs } = seen;
    const [erin, frank] = await w.pair('erin', 'frank', { a: onRelay(w, 0), b: onRelay(w, 1) });
    await talk(erin, frank, 1);
    const frankHost = frank.address().host;
    await w.stop(frank);
    const m = erin.send(frank.id, 'while you were away');
    await until(() => erin.history(frank.id).find((x) => x.id === m.id)?.state === 'sent', "Erin's message to wait in Frank's mailbox");
    const frank2 = await w.start('frank', { ...onRelay(w, 1), host: frankHost });
    await received(frank2, erin.id, 2);
    await talk(erin, frank2, 1);
    const ids = await linkedIds(w, obs, erin, frank2);
    expect(obs.dhtLeaks(watched('Erin', erin), ids)).toEqual([]);
    expect(obs.dhtLeaks(watched('Frank', frank2), ids)).toEqual([]);
  });
});
