import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { dayOf, INTRO_SALT, openRendezvous, rendezvousSlot, targetOf, type DhtNode } from '../../src/dht/index.js';
import { parseId, publicKeyOf, type ParleyId } from '../../src/identity/index.js';
import { deleteKv, getKv, openDb } from '../../src/store/index.js';
import { rendezvousSecret } from '../../src/node/rendezvous-secrets.js';
import type { ParleyNode } from '../../src/node/index.js';
import type { RelayServer } from '../../src/relay/index.js';

const ALICE = '127.0.0.231';
const BOB = '127.0.0.232';

/** What one DHT node of the testnet was asked: by which address, for which target (hex). */
interface Asked {
  from: string;
  target: string;
}

/**
 * A small observer on the testnet's own DHT nodes (test code only): every `get` query they receive,
 * with its source address. A lookup of a record asks the nodes closest to its target, which on this
 * small network is every node.
 */
function observe(nodes: DhtNode[]): Asked[] {
  const seen: Asked[] = [];
  for (const node of nodes) {
    node.forTest().dht._rpc.on('query', (query: { q?: Buffer; a?: { target?: Buffer } }, peer: { address: string }) => {
      if (query.q?.toString() === 'get' && Buffer.isBuffer(query.a?.target)) seen.push({ from: peer.address, target: query.a.target.toString('hex') });
    });
  }
  return seen;
}

/**
 * What the relays were asked to look up as DHT exits (`dht-get` through a circuit), by the address
 * the circuit came from: the asker's guard relay (issue 13 §2), never the asker.
 */
function observeExits(servers: RelayServer[]): (since?: number) => Asked[] {
  const logs = servers.map((r) => r.forTest().observeFrames());
  const bytes = (x: unknown) => (Buffer.isBuffer(x) ? x : Buffer.from(String(x), 'base64'));
  return (since = 0) =>
    logs
      .flat()
      .filter((f) => f.dir === 'in' && f.frame.t === 'dht-get' && f.time >= since)
      .map((f) => {
        const { key, salt } = f.frame as { key: unknown; salt: unknown };
        return { from: f.source, target: targetOf(bytes(key), bytes(salt)).toString('hex') };
      });
}

const introTarget = (id: string) => targetOf(publicKeyOf(parseId(id)), Buffer.from(INTRO_SALT)).toString('hex');

/** The targets of `from`'s rendezvous records for `to` around today (a lookup may straddle midnight). */
function rendezvousTargets(reader: ParleyNode, from: string, to: string): Set<string> {
  const secret = rendezvousSecret(reader.db, reader.id, reader.id === from ? to : from);
  if (!secret) throw new Error('no rendezvous secret yet');
  const today = dayOf(Date.now());
  return new Set(
    [today - 1, today, today + 1].map((d) =>
      rendezvousSlot(secret, from as ParleyId, to as ParleyId, d)
        .target()
        .toString('hex'),
    ),
  );
}

describe('contacts find each other through rendezvous records, never by naming each other', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 3);
  });
  afterAll(async () => {
    await w.close();
  });

  it("a contact's record carries my direct endpoint only while I let them see my IP address", async () => {
    const [carol, dave] = await w.pair('carol', 'dave', { a: { relays: [w.net.relays[0]!] }, b: { relays: [w.net.relays[2]!] } });
    carol.send(dave.id, 'hi');
    await received(dave, carol.id, 1);
    dave.send(carol.id, 'hi back');
    await delivered(dave, carol.id, 1);
    const secret = await until(() => rendezvousSecret(carol.db, carol.id, dave.id), 'Carol to hold the rendezvous secret');
    /** Dave's record for Carol as anyone could fetch it, opened with the pair's secret (only Carol and Dave hold it). */
    const daveForCarol = async () => {
      const slot = rendezvousSlot(secret, dave.id, carol.id, dayOf(Date.now()));
      const { record } = await w.net.nodes[0]!.getMutable(slot.keyPair.publicKey, slot.salt);
      return record ? openRendezvous(slot, record, Math.floor(Date.now() / 1000)) : null;
    };
    const endpoint = () => `${dave.address().host}:${dave.address().port}`;

    const relayed = await until(daveForCarol, "Dave's record for Carol to be published");
    expect(relayed.relay).toBeDefined();
    expect(relayed.endpoint).toBeUndefined();
    expect(relayed.transportKey).toBeUndefined();

    dave.setVisibility(carol.id, 'direct');
    const direct = await until(async () => {
      const r = await daveForCarol();
      return r?.endpoint ? r : null;
    }, "Dave's record for Carol to carry his direct endpoint");
    expect(direct.endpoint).toBe(endpoint());
    expect(direct.transportKey?.equals(dave.forTest().transportKey())).toBe(true);

    dave.setVisibility(carol.id, 'relayed');
    const withdrawn = await until(async () => {
      const r = await daveForCarol();
      return r && r.seq > direct.seq ? r : null;
    }, "Dave's record for Carol to be republished without his endpoint");
    expect(withdrawn.endpoint).toBeUndefined();
    expect(withdrawn.relay).toBeDefined();
  });

  it("after first contact Bob moves to another relay and mailbox; Alice still reaches him, and no DHT node is asked for either one's intro record", async () => {
    const [r0, r1, r2] = w.net.relays;
    // Alice: guard 0, exit and mailbox home 2. Bob: guard 2, exit and mailbox home 1, which goes away below.
    const [alice, bob] = await w.pair('alice', 'bob', {
      a: { host: ALICE, relays: [r0!], exitRelays: [r2!] },
      b: { host: BOB, relays: [r2!], exitRelays: [r1!] },
    });
    const asked = observe(w.net.nodes);
    const exitAsked = observeExits(w.net.relayServers);

    // First contact: a stranger's reach comes from the intro record, asked of an exit through Alice's relay.
    alice.send(bob.id, 'hello Bob');
    await received(bob, alice.id, 1);
    bob.send(alice.id, 'hello Alice');
    await delivered(alice, bob.id, 1);
    await delivered(bob, alice.id, 1);
    expect(exitAsked().some((a) => a.from === r0!.host && a.target === introTarget(bob.id))).toBe(true);
    // Both halves of the pair's secret crossed inside the Signal session, and are the same on both sides.
    const secrets = await until(() => {
      const a = rendezvousSecret(alice.db, alice.id, bob.id);
      const b = rendezvousSecret(bob.db, bob.id, alice.id);
      return a && b ? { a, b } : null;
    }, 'both sides to hold the rendezvous secret');
    expect(secrets.a.expose().equals(secrets.b.expose())).toBe(true);

    // Bob moves: the relay of his mailbox goes away, and he comes back with a new mailbox on another relay.
    const home = join(w.root, 'bob');
    await w.stop(bob);
    await w.net.relayServers[1]!.stop();
    const db = openDb(join(home, 'parley.db'));
    const oldMailbox = getKv(db, 'relay.mailbox');
    deleteKv(db, 'relay.mailbox');
    db.close();
    const since = Date.now();
    const movedBob = await w.start('bob', { host: BOB, relays: [r2!], exitRelays: [r0!] }); // his mailbox moves to relay 0
    expect(getKv(movedBob.db, 'relay.mailbox')).not.toBe(oldMailbox);

    alice.send(bob.id, 'are you still there?');
    const got = await received(movedBob, alice.id, 2);
    expect(got.map((m) => m.body)).toEqual(['hello Bob', 'are you still there?']);
    await delivered(alice, bob.id, 2); // Bob's receipt found Alice the same way

    // From the outside: no DHT node was ever asked anything from either address; since first contact,
    // neither asked an exit for the other's intro record (which names them), and each asked for the
    // other's rendezvous record (which names no one), through their own relay.
    expect(asked.filter((a) => a.from === ALICE || a.from === BOB)).toEqual([]);
    const fromAlice = exitAsked(since)
      .filter((a) => a.from === r0!.host)
      .map((a) => a.target);
    const fromBob = exitAsked(since)
      .filter((a) => a.from === r2!.host)
      .map((a) => a.target);
    expect(fromAlice, "Alice asked the DHT for Bob's intro record").not.toContain(introTarget(bob.id));
    expect(fromBob, "Bob asked the DHT for Alice's intro record").not.toContain(introTarget(alice.id));
    const bobForAlice = rendezvousTargets(alice, bob.id, alice.id);
    const aliceForBob = rendezvousTargets(movedBob, alice.id, bob.id);
    expect(
      fromAlice.some((t) => bobForAlice.has(t)),
      "Alice asked for Bob's rendezvous record",
    ).toBe(true);
    expect(
      fromBob.some((t) => aliceForBob.has(t)),
      "Bob asked for Alice's rendezvous record",
    ).toBe(true);
    // Alice's receipt says so (issue 13 §8): our pair's rendezvous record, looked up through her exit.
    const still = alice.history(bob.id).find((m) => m.body === 'are you still there?')!;
    expect(JSON.parse(still.route!)).toMatchObject({ lookup: { record: 'rendezvous', via: { exit: `${r2!.host}:${r2!.port}` } } });
  });
});

describe('when no rendezvous record is found', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('a contact whose rendezvous record is not found (their clock two days apart) is still reached, through the intro record', async () => {
    // Erin's clock runs 49 hours ahead: she publishes and reads records two days away from Frank's.
    const skew = 49 * 3_600_000;
    const [erin, frank] = await w.pair('erin', 'frank', { a: { relays: [w.net.relays[0]!], now: () => Date.now() + skew }, b: { relays: [w.net.relays[1]!] } });
    erin.send(frank.id, 'one');
    await received(frank, erin.id, 1);
    frank.send(erin.id, 'two');
    await delivered(frank, erin.id, 1);
    await until(() => rendezvousSecret(erin.db, erin.id, frank.id) && rendezvousSecret(frank.db, frank.id, erin.id), 'both to hold the secret');
    // Erin starts again (a running node reuses a reach it found for half a minute), then writes.
    await w.stop(erin);
    const asked = observe(w.net.nodes);
    const erinAgain = await w.start('erin', { relays: [w.net.relays[0]!], now: () => Date.now() + skew });
    erinAgain.send(frank.id, 'three');
    await delivered(erinAgain, frank.id, 2);
    const secret = rendezvousSecret(erinAgain.db, erin.id, frank.id)!;
    const erinDay = dayOf(Date.now() + skew);
    const looked = new Set(asked.map((a) => a.target));
    // She asked for Frank's record of her today and yesterday (none exists), then for his intro record.
    for (const day of [erinDay, erinDay - 1]) expect(looked.has(rendezvousSlot(secret, frank.id, erin.id, day).target().toString('hex'))).toBe(true);
    expect(looked.has(introTarget(frank.id))).toBe(true);
    // Her receipt says so (issue 13 §8): the intro record, as a fallback, looked up through her exit.
    const three = erinAgain.history(frank.id).find((m) => m.body === 'three')!;
    const exit = w.net.relays[1]!;
    expect(JSON.parse(three.route!)).toMatchObject({ lookup: { record: 'intro', fallback: true, via: { exit: `${exit.host}:${exit.port}` } } });
  });
});
