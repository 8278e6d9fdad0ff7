import { beforeAll, describe, expect, it } from 'vitest';
import { delivered, received } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { decodeRelayRef } from '../../src/routing/relay-ref.js';
import { lookupIntro } from '../../src/dht/index.js';
import { parseId } from '../../src/identity/index.js';
import { observedWorld, watched } from './scenarios.js';

/**
 * Issue 13 §4 once a second relay turns up: a relayed person who knew one relay only kept their
 * intro mailbox on it (the guard, which sees their address). When a second relay becomes known the
 * mailbox moves there, through a circuit of the guard, under a fresh secret: the intro record
 * published then names a mailbox the guard never saw, and mail sent to the old reach is not lost.
 */
describe('the intro mailbox moves off the guard once a second relay is known', () => {
  const seen = observedWorld(6, 1, { discoverRelays: true }); // the one relay, found in the DHT like on the internet

  it('the published intro names a mailbox on the second relay, never seen by the guard; mail to the old reach arrives once', async () => {
    const { w, obs } = seen;
    const guard = w.net.relayServers[0]!.address().host;
    // Alice starts reachable directly by strangers: her intro record, naming her mailbox on the
    // guard, is out, and Bob writes to her there.
    const alice = await w.start('alice', { reachableByStrangers: true });
    const bob = await w.start('bob', { reachableByStrangers: true });
    bob.addContact(alice.id);
    bob.send(alice.id, 'to the old reach');
    await received(alice, bob.id, 1);
    await delivered(bob, alice.id, 1);
    const before = decodeRelayRef((await lookupIntro(w.net.nodes[0]!, parseId(alice.id), Math.floor(Date.now() / 1000))).relay!)!;
    expect(before.h).toBe(guard);

    // She turns it off: relayed now, with one relay known, her DHT traffic waits for a second.
    await alice.setReachableByStrangers(false).catch(() => {}); // its republish waits (DHT_WAITING)
    expect(alice.dhtRoute()).toEqual({ via: 'waiting', why: 'no-exit' });

    await seen.laterRelay('127.21.0.10');
    // Once the wait ends her intro record is republished, without her endpoint now: it names a
    // mailbox on the second relay, a new one.
    const intro = await until(
      async () => {
        const found = await lookupIntro(w.net.nodes[0]!, parseId(alice.id), Math.floor(Date.now() / 1000)).catch(() => null);
        return found && !found.endpoint ? found : null;
      },
      "Alice's intro record to be republished once a second relay is known",
      45_000,
    );
    const ref = decodeRelayRef(intro.relay!)!;
    // From the outside: the guard, which sees Alice's address, never saw the mailbox or blob the
    // record names (not registered, not fetched, not mailed to), from her address or any other.
    const named = new Set([ref.m, ref.b]);
    expect(obs.relayLeaks(watched('Alice', alice), [{ id: alice.id, needles: [], targets: [], relayIds: named }])).toEqual([]);
    const onGuard = obs.relays.filter((r) => r.host === guard).flatMap((r) => r.frames);
    const mentions = onGuard.filter((s) => JSON.stringify(s.frame).includes(ref.m) || JSON.stringify(s.frame).includes(ref.b));
    expect(mentions).toEqual([]);

    expect(ref.h).toBe('127.21.0.10');
    expect(ref.m).not.toBe(before.m);
    expect(alice.relays().find((r) => r.host === '127.21.0.10')?.uses).toContain('intro-mailbox');

    // Bob's message to the old reach arrived, once. What he writes now goes to the old reach too
    // (his router keeps her intro for 30 s): the old mailbox is still read, nothing is lost.
    const moved = onGuard.length;
    bob.send(alice.id, 'after the move');
    await received(alice, bob.id, 2);
    const afterMove = (t: string) =>
      obs.relays
        .filter((r) => r.host === guard)
        .flatMap((r) => r.frames.slice(moved))
        .filter((s) => s.dir === 'in' && s.frame.t === t && JSON.stringify(s.frame).includes(before.m));
    expect(afterMove('send').length).toBeGreaterThan(0);
    // Alice read it from the old mailbox (not Bob sending again later) and emptied it there.
    await until(() => afterMove('ack').length > 0, 'Alice to acknowledge the item in her old mailbox');
    const bodies = alice
      .history(bob.id)
      .filter((m) => m.direction === 'in')
      .map((m) => m.body);
    expect(bodies.filter((b) => b === 'to the old reach')).toHaveLength(1);
    expect(bodies.filter((b) => b === 'after the move')).toHaveLength(1);
  });
});

describe('turning "reachable directly by strangers" off moves the intro mailbox off the guard', () => {
  const seen = observedWorld(6, 2, { discoverRelays: true });

  it('the record without her address names a mailbox on the other relay, which the guard never saw', async () => {
    const { w, obs } = seen;
    const carol = await w.start('carol', { reachableByStrangers: true });
    const healthy = () => carol.relays().filter((r) => !r.excluded && r.failuresInARow === 0 && r.lastOkAt !== null);
    await until(() => healthy().length >= 2, 'Carol to know both relays');
    const guard = carol.relays().find((r) => r.uses.includes('guard'))!;
    await carol.setReachableByStrangers(false);
    const intro = await until(async () => {
      const found = await lookupIntro(w.net.nodes[0]!, parseId(carol.id), Math.floor(Date.now() / 1000)).catch(() => null);
      return found && !found.endpoint ? found : null;
    }, "Carol's intro record without her address");
    const ref = decodeRelayRef(intro.relay!)!;
    expect(obs.relayLeaks(watched('Carol', carol), [{ id: carol.id, needles: [], targets: [], relayIds: new Set([ref.m, ref.b]) }])).toEqual([]);
    expect(ref.h).not.toBe(guard.host);
  });
});

describe('a restart with a second relay: the home never keeps the mailbox a relay saw with her address', () => {
  const seen = observedWorld(6, 1);
  let second: Awaited<ReturnType<typeof seen.laterRelay>>;
  beforeAll(async () => {
    second = await seen.laterRelay('127.21.0.10');
  });

  it('the mailbox registered from her address in a one-relay run is not the one her record names later', async () => {
    const { w, obs } = seen;
    const first = w.net.relays[0]!;
    const dana = await w.start('dana', { relays: [first] }); // one relay: the mailbox lives on it
    const before = watched('Dana', dana);
    await until(() => obs.relays.some((r) => r.frames.some((s) => s.source === before.host && s.frame.t === 'register')), 'her mailbox on her relay');
    await w.stop(dana);
    const { host, port } = second.server.address();
    const again = await w.start('dana', { relays: [first, { host, port, publicKey: second.server.publicKey.toString('base64') }] });
    const intro = await until(() => lookupIntro(w.net.nodes[0]!, parseId(again.id), Math.floor(Date.now() / 1000)).catch(() => null), "Dana's intro record");
    const ref = decodeRelayRef(intro.relay!)!;
    const named = [{ id: again.id, needles: [], targets: [], relayIds: new Set([ref.m, ref.b]) }];
    expect([...obs.relayLeaks(before, named), ...obs.relayLeaks(watched('Dana', again), named)]).toEqual([]);
  });
});
