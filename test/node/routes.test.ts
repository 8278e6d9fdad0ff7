import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import type { ParleyNode } from '../../src/node/index.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';

type Vis = 'direct' | 'relayed';

/** A message that went through both relays, as its receiver records it: the whole way, not only their own relay. */
const TWO_RELAYS_AS_RECEIVED: RouteReceipt = {
  route: 'two-relays',
  hops: ['their-relay', 'my-relay'],
  senderReported: true,
  sees: [
    { party: 'their-relay', ips: ['theirs'] },
    { party: 'my-relay', ips: ['mine'] },
    { party: 'contact', ips: [] },
  ],
};

describe('routes follow the two settings (ARCHITECTURE.md route table)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let n = 0;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  /** Alice (relay 0) and Bob (relay 1) with the given settings; both send a message each way. */
  async function scenario(aliceSets: Vis, bobSets: Vis) {
    const [relayA, relayB] = w.net.relayServers;
    const seenA = relayA!.forTest().observeRemotes();
    const seenB = relayB!.forTest().observeRemotes();
    const fromA = seenA.length;
    const fromB = seenB.length;
    const alice: ParleyNode = await w.start(`alice${++n}`, { relays: [w.net.relays[0]!] });
    const bob: ParleyNode = await w.start(`bob${n}`, { relays: [w.net.relays[1]!] });
    const bobSaw = bob.forTest().observeInbound();
    const aliceSaw = alice.forTest().observeInbound();
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, aliceSets);
    bob.setVisibility(alice.id, bobSets);
    // First exchange: each side learns what the other allows (a `direct` contact gets a reach).
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await received(bob, alice.id, 1);
    await received(alice, bob.id, 1);
    await delivered(alice, bob.id, 1);
    await delivered(bob, alice.id, 1);
    const probe = alice.send(bob.id, 'probe');
    await received(bob, alice.id, 2);
    await delivered(alice, bob.id, 2);
    const sent = alice.history(bob.id).find((m) => m.id === probe.id)!;
    const got = bob.history(alice.id).find((m) => m.id === probe.id)!;
    const alicesIp = alice.address().host;
    const bobsIp = bob.address().host;
    return {
      alicesIp,
      bobsIp,
      route: JSON.parse(sent.route!) as RouteReceipt,
      /** The same message's receipt as Bob sees it. */
      bobsRoute: JSON.parse(got.route!) as RouteReceipt,
      relayA: new Set(seenA.slice(fromA)),
      relayB: new Set(seenB.slice(fromB)),
      bobSaw: new Set(bobSaw),
      aliceSaw: new Set(aliceSaw),
    };
  }

  it('direct + direct: device to device, each sees the other', async () => {
    const s = await scenario('direct', 'direct');
    expect(s.route).toMatchObject({ route: 'direct', hops: ['direct'] });
    expect(s.bobSaw.has(s.alicesIp)).toBe(true);
    expect(s.bobsRoute).toEqual({ route: 'direct', hops: ['direct'], sees: [{ party: 'contact', ips: ['mine'] }] });
  });

  it('direct (me) + relayed (them): through the relay of their mailbox; they never see me', async () => {
    const s = await scenario('direct', 'relayed');
    expect(s.route).toMatchObject({ route: 'one-relay', hops: ['their-relay'] });
    expect(s.route.sees).toContainEqual({ party: 'their-relay', ips: ['mine', 'theirs'] });
    // Bob's mailbox lives on relay 0, reached through his relay 1 (issue 13 §4): the relay Alice goes
    // to sees her, and never Bob; the receipt says the most that relay could have seen.
    expect(s.relayA.has(s.alicesIp) && s.relayB.has(s.bobsIp)).toBe(true);
    expect(s.relayA.has(s.bobsIp)).toBe(false);
    expect(s.bobSaw.has(s.alicesIp)).toBe(false);
    expect(s.aliceSaw.has(s.bobsIp)).toBe(false);
    // Bob's receipt of the same message: his relay could see both, Alice saw none of his.
    expect(s.bobsRoute).toEqual({
      route: 'one-relay',
      hops: ['my-relay'],
      senderReported: true,
      sees: [
        { party: 'my-relay', ips: ['mine', 'theirs'] },
        { party: 'contact', ips: [] },
      ],
    });
  });

  it('relayed (me) + direct (them): my relay, a circuit, their relay; they and their relay never see my IP', async () => {
    const s = await scenario('relayed', 'direct');
    expect(s.route).toMatchObject({ route: 'two-relays', hops: ['my-relay', 'their-relay'] });
    expect(s.relayA.has(s.alicesIp)).toBe(true);
    expect(s.relayB.has(s.alicesIp)).toBe(false);
    expect(s.bobSaw.has(s.alicesIp)).toBe(false);
    expect(s.bobsRoute).toEqual(TWO_RELAYS_AS_RECEIVED);
  });

  it('relayed + relayed with two relays: no single relay sees both ends', async () => {
    const s = await scenario('relayed', 'relayed');
    expect(s.route).toMatchObject({ route: 'two-relays' });
    expect(s.route.sees).toContainEqual({ party: 'my-relay', ips: ['mine'] });
    expect(s.relayA.has(s.alicesIp) && !s.relayA.has(s.bobsIp)).toBe(true);
    expect(s.relayB.has(s.bobsIp) && !s.relayB.has(s.alicesIp)).toBe(true);
    expect(s.bobSaw.size + s.aliceSaw.size).toBe(0);
    expect(s.bobsRoute).toEqual(TWO_RELAYS_AS_RECEIVED);
  });
});
