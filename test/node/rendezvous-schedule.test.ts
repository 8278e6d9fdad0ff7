import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhtNode, dayStartMs, type MutableLookup, type PutMutableInput } from '../../src/dht/index.js';
import { Identity } from '../../src/identity/index.js';
import { openDb, setContactState, upsertContact, type Db } from '../../src/store/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import { Rendezvous, type MyReach } from '../../src/node/rendezvous.js';
import { acceptTheirHalf, rendezvousUpdate } from '../../src/node/rendezvous-secrets.js';
import { until } from '../helpers/until.js';

const DAY = 20_500; // a UTC day number (2026)
const at = (day: number, hours: number, minutes = 0) => dayStartMs(day) + hours * 3_600_000 + minutes * 60_000;
const REACH: MyReach = { relay: Buffer.from('{"relay":"of bob"}') };

/** Two people's stores holding both halves of their secret, as after a first contact. */
function pairedStores(alice: Identity, bob: Identity): { aliceDb: Db; bobDb: Db } {
  const aliceDb = openDb(':memory:');
  const bobDb = openDb(':memory:');
  upsertContact(aliceDb, bob.id, 'added', 0);
  upsertContact(bobDb, alice.id, 'added', 0);
  const fromAlice = rendezvousUpdate(aliceDb, bob.id)!;
  fromAlice.commit();
  if (fromAlice.content.t !== 'rendezvous') throw new Error('not a rendezvous content');
  acceptTheirHalf(bobDb, alice.id, fromAlice.content.mine, fromAlice.content.have);
  const fromBob = rendezvousUpdate(bobDb, alice.id)!;
  fromBob.commit();
  if (fromBob.content.t !== 'rendezvous') throw new Error('not a rendezvous content');
  acceptTheirHalf(aliceDb, bob.id, fromBob.content.mine, fromBob.content.have);
  return { aliceDb, bobDb };
}

describe('rendezvous records across midnight (UTC)', () => {
  let net: Testnet;
  let dht: DhtNode;
  const puts: Array<{ seq: number }> = [];
  const gets: string[] = [];
  /** The DHT as Rendezvous takes it: injected get and put, here a real node of the testnet, counted. */
  const injected = {
    getMutable: (publicKey: Buffer, salt: Uint8Array | string): Promise<MutableLookup> => {
      gets.push(publicKey.toString('hex'));
      return dht.getMutable(publicKey, salt);
    },
    putMutable: (input: PutMutableInput): Promise<number> => {
      puts.push({ seq: input.seq });
      return dht.putMutable(input);
    },
  };
  beforeAll(async () => {
    net = await startTestnet({ dhtNodes: 5 });
    dht = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.240' });
    await dht.start();
  });
  afterAll(async () => {
    await dht.stop();
    await net.stop();
  });

  function side(db: Db, self: Identity, now: () => number, reach: MyReach | null = REACH): Rendezvous {
    return new Rendezvous({ dht: injected, db, self: self.id, reachFor: () => reach, now, logger: pino({ level: 'silent' }) }, { intervalMs: 3_600_000 });
  }

  it("publishes today's record, and tomorrow's too in the last hour before midnight; the reader finds it on either side of midnight", async () => {
    const alice = Identity.generate();
    const bob = Identity.generate();
    const { aliceDb, bobDb } = pairedStores(alice, bob);
    let bobNow = at(DAY, 12);
    const bobSide = side(bobDb, bob, () => bobNow);
    const first = puts.length;
    await bobSide.start(); // the first round publishes today's record for every contact
    expect(puts.length - first).toBe(1);

    // Alice reads it the same day, and the next day (as yesterday's: Bob has not published today's).
    let aliceNow = at(DAY, 13);
    const aliceSide = side(aliceDb, alice, () => aliceNow, null);
    expect((await aliceSide.lookup(bob.id))?.relay?.equals(REACH.relay!)).toBe(true);
    aliceNow = at(DAY + 1, 9);
    expect((await aliceSide.lookup(bob.id))?.relay?.equals(REACH.relay!)).toBe(true);
    // Two days on, neither today's nor yesterday's exists: nothing is found (the node then falls back).
    aliceNow = at(DAY + 2, 9);
    expect(await aliceSide.lookup(bob.id)).toBeNull();

    // At 23:30 Bob publishes tomorrow's as well: Alice, already past midnight, finds it as today's,
    // and also two days on, when only that record is yesterday's.
    bobNow = at(DAY + 2, 23, 30);
    const before = puts.length;
    await bobSide.publish(alice.id);
    expect(puts.length - before).toBe(2);
    aliceNow = at(DAY + 3, 0, 10);
    expect(await aliceSide.lookup(bob.id)).not.toBeNull();
    aliceNow = at(DAY + 4, 12);
    expect(await aliceSide.lookup(bob.id)).not.toBeNull();
    await bobSide.stop();
  });

  it('a contact without both halves of the secret has no record and no lookup', async () => {
    const alice = Identity.generate();
    const bob = Identity.generate();
    const db = openDb(':memory:');
    upsertContact(db, bob.id, 'added', 0);
    rendezvousUpdate(db, bob.id); // only my half
    const s = side(db, alice, () => at(DAY, 12));
    const [p, g] = [puts.length, gets.length];
    await s.start();
    await s.publish(bob.id);
    expect(await s.lookup(bob.id)).toBeNull();
    expect([puts.length - p, gets.length - g]).toEqual([0, 0]);
    await s.stop();
  });

  it("a blocked contact's record for today is replaced by one that says nothing; an unanswered request gets none", async () => {
    const alice = Identity.generate();
    const bob = Identity.generate();
    const { aliceDb, bobDb } = pairedStores(alice, bob);
    const now = () => at(DAY, 12);
    const bobSide = side(bobDb, bob, now);
    const aliceSide = side(aliceDb, alice, now, null);
    await bobSide.start();
    expect((await aliceSide.lookup(bob.id))?.relay).toBeDefined();
    setContactState(bobDb, alice.id, 'blocked');
    await bobSide.publish(alice.id);
    const emptied = await aliceSide.lookup(bob.id);
    expect(emptied).not.toBeNull();
    expect([emptied!.relay, emptied!.endpoint]).toEqual([undefined, undefined]);
    const before = puts.length;
    setContactState(bobDb, alice.id, 'request');
    await bobSide.publish(alice.id);
    await bobSide.refresh();
    expect(puts.length).toBe(before);
    await bobSide.stop();
  });

  it("a contact's publish under way when its node stops, in the last hour before midnight, ends before stop() does: no put after, no failure", async () => {
    const alice = Identity.generate();
    const bob = Identity.generate();
    const { bobDb } = pairedStores(alice, bob);
    // As the node's: my direct endpoint comes from a listener that is closed once the node has stopped.
    let closed = false;
    const reachFor = (): MyReach => {
      if (closed) throw new Error('listener is not listening');
      return REACH;
    };
    const bobSide = new Rendezvous(
      { dht: injected, db: bobDb, self: bob.id, reachFor, now: () => at(DAY, 23, 30), logger: pino({ level: 'silent' }) },
      { intervalMs: 3_600_000 },
    );
    await bobSide.start();
    const before = puts.length;
    const publishing = bobSide.publish(alice.id); // today's and tomorrow's: two puts, one after the other
    await until(() => puts.length > before, "today's put to start");
    await bobSide.stop();
    const atStop = puts.length;
    closed = true; // the node closes its listener after its rendezvous part stopped
    await expect(publishing).resolves.toBeUndefined();
    expect(puts.length).toBe(atStop);
  });
});
