import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, delivered, received } from '../helpers/people.js';
import { markRelay, subnetOf } from '../../src/node/index.js';

/*
 * Issue 15, "Done when": a node on a test "public" network that knows nothing but the DHT bootstrap
 * addresses (no `--relay`, no relay list from the testnet) finds relays by itself and talks to a
 * relayed contact through two relays.
 */
describe('relays found through the DHT', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2, { discoverRelays: true });
  });
  afterAll(async () => {
    await w.close();
  });

  it('with only bootstrap addresses, each person finds the announced relays and a message goes through two of them', async () => {
    expect(w.net.relays).toEqual([]); // nothing handed to anyone
    const servers = w.net.relayServers.map((s) => ({ ...s.address(), publicKey: s.publicKey.toString('base64') }));
    expect(new Set(servers.map((s) => subnetOf(s.host))).size).toBe(2);

    const alice = await w.start('alice', { reachableByStrangers: false });
    const found = alice.relays();
    expect(found.map((r) => r.publicKey).sort()).toEqual(servers.map((s) => s.publicKey).sort());
    expect(found.every((r) => r.source === 'dht' && r.rttMs !== null && r.failuresInARow === 0)).toBe(true);
    const aliceGuard = found.find((r) => r.uses.includes('guard'))!;
    expect(aliceGuard.uses).toEqual(['guard']);
    // The other relay holds the mailbox her intro record names, and exits her DHT traffic: it never sees her IP.
    expect(found.find((r) => r !== aliceGuard)!.uses).toEqual(['intro-mailbox', 'dht-exit']);

    // Bob also finds them by himself, and pins the relay Alice does not use (a person's own choice).
    const bob = await w.start('bob', { reachableByStrangers: false });
    const other = servers.find((s) => s.publicKey !== aliceGuard.publicKey)!;
    markRelay(bob.db, other.publicKey, 'pin');
    await w.stop(bob);
    const bob2 = await w.start('bob', { reachableByStrangers: false });
    expect(bob2.relays().find((r) => r.uses.includes('guard'))?.publicKey).toBe(other.publicKey);

    alice.addContact(bob2.id); // relayed, the default
    bob2.addContact(alice.id);
    alice.send(bob2.id, 'found you through relays I found myself');
    const [m] = await delivered(alice, bob2.id, 1);
    const receipt = JSON.parse(m!.route!);
    expect(receipt).toMatchObject({ route: 'two-relays', hops: ['my-relay', 'their-relay'] });
    expect(receipt.sameRelay).toBeFalsy();
    const [got] = await received(bob2, alice.id, 1);
    expect(got!.body).toBe('found you through relays I found myself');
  });
});
