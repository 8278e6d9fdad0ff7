import { describe, expect, it } from 'vitest';
import { delivered, received } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { DHT_WAITING_SENTENCE } from '../../src/node/errors.js';
import { linkedIds, observedWorld, watched } from './scenarios.js';

/**
 * Issue 13 §5, "no silent downgrade, in the DHT as on the wire": a relayed person who knows one
 * relay only has no exit for their DHT traffic (the guard cannot be its own exit: it would see both
 * their address and what they ask). Their intro record, their lookups and their rendezvous records
 * wait, saying why, and go out once a second relay turns up in the DHT — never from their address.
 */
describe('one relay known: identity-linked DHT traffic waits for a second relay', () => {
  const seen = observedWorld(6, 1, { discoverRelays: true }); // the one relay, found in the DHT like on the internet

  it('waits with the reason in the outbox and the summary, then delivers once a second relay comes up; no DHT node saw their address with an ID', async () => {
    const { w, obs } = seen;
    const alice = await w.start('alice', { reachableByStrangers: false });
    const bob = await w.start('bob', { reachableByStrangers: false });
    alice.addContact(bob.id); // relayed, the default
    bob.addContact(alice.id);
    const m = alice.send(bob.id, 'held until a second relay');
    await until(
      () => alice.outbox().some((o) => o.message_id === m.id && (o.last_error ?? '').includes(DHT_WAITING_SENTENCE)),
      () => `the outbox to say why it waits (${JSON.stringify(alice.outbox().map((o) => o.last_error))})`,
      20_000,
    );
    expect(alice.history(bob.id).find((x) => x.id === m.id)!.state).toBe('queued');
    expect(alice.dhtTraffic()).toEqual({ private: true, waiting: true, sentence: expect.stringContaining(DHT_WAITING_SENTENCE) as string });
    expect(bob.dhtRoute()).toEqual({ via: 'waiting', why: 'no-exit' });

    // A relay operator starts a second relay: both find it in the DHT and exit through it.
    await seen.laterRelay('127.21.0.10');
    await delivered(alice, bob.id, 1, 90_000);
    const [got] = await received(bob, alice.id, 1);
    expect(got!.body).toBe('held until a second relay');
    expect(alice.dhtRoute()).toMatchObject({ via: 'exit', exit: { host: '127.21.0.10' } });
    expect(alice.dhtTraffic().waiting).toBeUndefined();

    // From the outside: every DHT query naming either ID came from a relay, never from a person's address.
    const ids = await linkedIds(w, obs, alice, bob);
    expect(obs.dhtLeaks(watched('Alice', alice), ids)).toEqual([]);
    expect(obs.dhtLeaks(watched('Bob', bob), ids)).toEqual([]);
    const fromExit = obs.dhtLeaks({ name: 'the second relay', host: '127.21.0.10', id: '' }, ids);
    expect(fromExit).toEqual(expect.arrayContaining([expect.stringMatching(/put query/), expect.stringMatching(/get query/)]));
  });
});
