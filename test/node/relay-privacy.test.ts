import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { world, received, delivered } from '../helpers/people.js';
import { RelayServer } from '../../src/relay/index.js';
import { Ed25519KeyPair, parseId, publicKeyOf, randomBytes } from '../../src/identity/index.js';
import { until } from '../helpers/until.js';

const RELAY = '127.0.2.80';
const ALICE = '127.0.2.81';
const BOB = '127.0.2.82';
const ATTACKERS = ['127.0.2.90', '127.0.2.91', '127.0.2.92', '127.0.2.93'];

describe('what a relay holds, and a relay under attack, with real Parley users', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let relay: RelayServer;
  let ref: { host: string; port: number; publicKey: string };
  /**
   * One relay, the one under test. With it alone a relayed person's DHT traffic would wait for a
   * second relay to exit through (issue 13 §5, test/privacy/one-relay.test.ts); these people
   * consent to reach the DHT from their own address instead, which changes nothing the relay sees.
   */
  const viaRelay = (host?: string) => ({ ...(host ? { host } : {}), relays: [ref], reachableByStrangers: true });
  beforeAll(async () => {
    w = await world(6, 0);
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    relay = new RelayServer({ host: RELAY, keyPair });
    await relay.start();
    ref = { host: RELAY, port: relay.address().port, publicKey: keyPair.publicKey.toString('base64') };
  });
  afterAll(async () => {
    await w.close();
    await relay.stop();
  });

  it("mail waiting for an offline person is sealed: the relay's stored items name no sender, no recipient, no address, no text", async () => {
    const [alice, bob] = await w.pair('alice', 'bob', { a: viaRelay(ALICE), b: viaRelay(BOB) });
    alice.send(bob.id, 'warm-up');
    await delivered(alice, bob.id, 1);
    await w.stop(bob);

    const secrets = ['the drop is at pier 9', 'bring the ledger'];
    for (const s of secrets) alice.send(bob.id, s);
    await until(() => alice.history(bob.id).filter((m) => m.state === 'sent').length === 2, "both of Alice's messages to reach Bob's mailbox", 15_000);
    expect(relay.metrics().stored.items).toBeGreaterThanOrEqual(2);

    const dump = relay.forTest().dumpStored();
    const forbidden: Array<[string, Buffer]> = [];
    for (const [who, node] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      forbidden.push([`${who} id`, Buffer.from(node.id)]);
      forbidden.push([`${who} identity key`, publicKeyOf(parseId(node.id))]);
      forbidden.push([`${who} identity key (base64)`, Buffer.from(publicKeyOf(parseId(node.id)).toString('base64'))]);
    }
    // (The prekey bundle blob does hold the Signal identity key: it is published for anyone to fetch.)
    for (const ip of [ALICE, BOB]) forbidden.push([`address ${ip}`, Buffer.from(ip)]);
    for (const s of secrets) forbidden.push([`text "${s}"`, Buffer.from(s)]);
    for (const [what, bytes] of forbidden) expect(dump.includes(bytes), `relay memory holds ${what}`).toBe(false);

    const bob2 = await w.start('bob', viaRelay(BOB));
    const got = await received(bob2, alice.id, 3);
    expect(got.map((m) => m.body)).toEqual(['warm-up', ...secrets]);
    await delivered(alice, bob.id, 3);
    await until(
      () => relay.metrics().stored.items === 0,
      () => `the relay to hold no items once acked (holds ${relay.metrics().stored.items})`,
      15_000,
    );
  });

  it('1,000 garbage connections against the relay while two people chat: the chat keeps working', async () => {
    const [carol, dave] = await w.pair('carol', 'dave', { a: viaRelay(), b: viaRelay() });
    carol.send(dave.id, 'before');
    await received(dave, carol.id, 1);

    let closedByRelay = 0;
    const attack = (async () => {
      for (let wave = 0; wave < 10; wave++) {
        await Promise.all(
          Array.from(
            { length: 100 },
            (_, i) =>
              new Promise<void>((resolve) => {
                const s = connect({ host: RELAY, port: ref.port, localAddress: ATTACKERS[i % ATTACKERS.length] });
                s.on('error', () => {});
                s.on('connect', () => s.end(randomBytes(64 + ((i * 37) % 900))));
                const timer = setTimeout(() => (s.destroy(), resolve()), 10_000);
                s.on('close', () => {
                  clearTimeout(timer);
                  closedByRelay++;
                  resolve();
                });
              }),
          ),
        );
      }
    })();
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const from = i % 2 === 0 ? carol : dave;
      const to = i % 2 === 0 ? dave : carol;
      from.send(to.id, `during ${i}`);
      sent.push(`during ${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await attack;
    expect(closedByRelay).toBe(1000);
    const toDave = await received(dave, carol.id, 11, 30_000);
    const toCarol = await received(carol, dave.id, 10, 30_000);
    expect(toDave.map((m) => m.body)).toEqual(['before', ...sent.filter((_, i) => i % 2 === 0)]);
    expect(toCarol.map((m) => m.body)).toEqual(sent.filter((_, i) => i % 2 === 1));
    expect(relay.metrics().connections.open).toBeLessThanOrEqual(4); // the two people's links, no leftover attackers
  });
});
