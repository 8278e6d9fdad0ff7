import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { publicKeyOf, parseId } from '../../src/identity/index.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';
import type { ParleyNode } from '../../src/node/index.js';
import { firstContact, linkedIds, observedWorld, onRelay, watched } from './scenarios.js';

/**
 * Issue 13 §8, "receipts tell the whole truth": besides the hops, the route receipt says how the
 * contact's reach was found and where that lookup left from, when it went around my relay, and
 * warns when something less private than the settings promise happened. Each statement is checked
 * against what the observers saw: a receipt that claims more than that is a bug.
 */
const receiptOf = (node: ParleyNode, to: string, text: string): RouteReceipt =>
  JSON.parse(node.history(to, 100_000).find((m) => m.direction === 'out' && m.body === text)!.route!) as RouteReceipt;

const hostPort = (r: { host: string; port: number }) => `${r.host}:${r.port}`;

describe('what the route receipt says of lookups and detours, as the observers saw it', () => {
  const seen = observedWorld();

  it('first contact between relayed people: the intro record, looked up through the exit named; the detour around my relay that holds their mailbox', async () => {
    const { w, obs } = seen;
    const alice = await w.start('alice', onRelay(w, 0)); // guard relay 0, exit (and mailbox home) relay 1
    const bob = await w.start('bob', onRelay(w, 1)); // guard relay 1, his mailbox on relay 0
    await firstContact(alice, bob);
    const [exit, guard] = [w.net.relays[1]!, w.net.relays[0]!];
    const r = receiptOf(alice, bob.id, 'hello, it is me');
    expect(r.lookup).toEqual({ record: 'intro', via: { exit: hostPort(exit) } });
    expect(r.detour).toBe(hostPort(exit));
    expect(r.warnings).toBeUndefined();

    const [, b] = await linkedIds(w, obs, alice, bob);
    // "looked up through relay X": X was asked for Bob's intro record, through Alice's guard, and no
    // DHT node got a query naming Bob from Alice's address.
    const exitLog = obs.relays.find((x) => x.host === exit.host)!.frames;
    const bobKey = publicKeyOf(parseId(bob.id));
    const asked = exitLog.filter((s) => s.dir === 'in' && s.frame.t === 'dht-get' && keyOf(s.frame).equals(bobKey));
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked.map((s) => s.source))).toEqual(new Set([guard.host]));
    expect(obs.dhtLeaks(watched('Alice', alice), [b!])).toEqual([]);
    // "went around your relay through relay X": Alice's relay holds Bob's mailbox, and every message
    // into it came from X's address, none from Alice's.
    const intoBob = obs.relays
      .find((x) => x.host === guard.host)!
      .frames.filter((s) => s.dir === 'in' && s.frame.t === 'send' && b!.relayIds.has(String((s.frame as { mailbox: unknown }).mailbox)));
    expect(intoBob.length).toBeGreaterThan(0);
    expect(new Set(intoBob.map((s) => s.source))).toEqual(new Set([exit.host]));
  });
});

describe('a receipt warns when a lookup left from my own address without my consent', () => {
  const seen = observedWorld(6, 0); // no relay at all

  it('no relay, not reachable by strangers, a direct contact: the receipt warns, and a DHT node did see her address ask for him', async () => {
    const { w, obs } = seen;
    const carol = await w.start('carol', { reachableByStrangers: false });
    const dave = await w.start('dave', { reachableByStrangers: true });
    carol.addContact(dave.id);
    dave.addContact(carol.id);
    carol.setVisibility(dave.id, 'direct');
    dave.setVisibility(carol.id, 'direct');
    carol.send(dave.id, 'straight to you');
    await until(() => carol.history(dave.id).some((m) => m.state === 'delivered'), "Carol's message to be delivered");
    const r = receiptOf(carol, dave.id, 'straight to you');
    expect(r).toMatchObject({ route: 'direct', lookup: { record: 'intro', via: { ownAddress: 'no-relay' } }, warnings: ['lookup-from-own-address'] });
    // The warning is true: a DHT node saw Carol's address ask for Dave's ID.
    const [d] = await linkedIds(w, obs, dave);
    expect(obs.dhtLeaks(watched('Carol', carol), [d!])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^a get query from Carol's address named the ID/)]),
    );
    expect(carol.dhtTraffic()).toMatchObject({ private: false });
  });
});

function keyOf(frame: unknown): Buffer {
  const k = (frame as { key: unknown }).key;
  return Buffer.isBuffer(k) ? k : Buffer.from(String(k), 'base64');
}
