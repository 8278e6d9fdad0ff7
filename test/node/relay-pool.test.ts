import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { world, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import { DhtNode } from '../../src/dht/index.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayAnnouncer, RelayServer, descriptorPublisher, dhtRelays } from '../../src/relay/index.js';
import { openDb, type Db } from '../../src/store/index.js';
import { RelayPool, markRelay } from '../../src/node/relay-pool.js';
import { chooseOtherHop, subnetOf } from '../../src/node/relay-choice.js';
import type { RelayAddress } from '../../src/node/index.js';
import { DHT_WAITING_SENTENCE } from '../../src/node/errors.js';
import { laterRelay } from '../privacy/scenarios.js';

describe('network blocks', () => {
  it('tells /16s (IPv6: /32s) apart', () => {
    expect(subnetOf('127.30.0.10')).toBe(subnetOf('127.30.255.1'));
    expect(subnetOf('127.30.0.10')).not.toBe(subnetOf('127.31.0.10'));
    expect(subnetOf('::ffff:203.0.113.7')).toBe(subnetOf('203.0.200.1'));
    expect(subnetOf('2001:db8::1')).toBe(subnetOf('2001:0db8:ffff::2'));
    expect(subnetOf('2001:db8::1')).not.toBe(subnetOf('2001:db9::1'));
    const r = (host: string, k: string) => ({ host, port: 1, publicKey: k, rttMs: 1, failuresInARow: 0 });
    for (let i = 0; i < 20; i++)
      expect(
        chooseOtherHop([r('127.30.0.10', 'a'), r('127.30.9.10', 'b'), r('127.31.0.10', 'c')], [{ host: '127.30.0.10', publicKey: 'a' }], [], () => i / 20)
          ?.publicKey,
      ).toBe('c');
  });
});

/** A relay of our own beside the testnet, announced and described in its DHT like any on the internet. */
async function announcedRelay(net: Testnet, host: string, stops: Array<() => Promise<void>>): Promise<RelayAddress> {
  const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
  const dht = new DhtNode({ bootstrap: net.bootstrap, host, loopbackOnly: true, queryTimeoutMs: 500 });
  await dht.start();
  const server = new RelayServer({ host, keyPair, relays: dhtRelays(dht), allowPrivateHops: true });
  await server.start();
  const publisher = descriptorPublisher(dht, keyPair, () => server.descriptor());
  await publisher.start();
  const announcer = new RelayAnnouncer({ dht, port: () => server.address().port, logger: { info() {}, warn() {}, debug() {} } });
  await announcer.start();
  stops.push(async () => {
    await announcer.stop();
    await publisher.stop();
    await server.stop();
    await dht.stop();
  });
  return { ...server.address(), publicKey: keyPair.publicKey.toString('base64') };
}

describe('one relay per /16 in a circuit', () => {
  let net: Testnet;
  let dht: DhtNode;
  let db: Db;
  let dir: string;
  const stops: Array<() => Promise<void>> = [];
  let a: RelayAddress, b: RelayAddress, c: RelayAddress;
  beforeAll(async () => {
    net = await startTestnet({ dhtNodes: 6, discoverRelays: true });
    // a and b share 127.30.0.0/16 (one operator's block); c is elsewhere.
    a = await announcedRelay(net, '127.30.0.10', stops);
    b = await announcedRelay(net, '127.30.9.10', stops);
    c = await announcedRelay(net, '127.31.0.10', stops);
    dht = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.230', loopbackOnly: true, queryTimeoutMs: 500 });
    await dht.start();
    dir = mkdtempSync(join(tmpdir(), 'parley-pool-'));
    db = openDb(join(dir, 'parley.db'));
  });
  afterAll(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await dht.stop();
    for (const stop of stops) await stop();
    await net.stop();
  });

  const poolWith = (random: () => number) =>
    new RelayPool(
      { db, dht, logger: pino({ level: 'silent' }), localAddress: '127.0.0.230', allowPrivate: true, now: Date.now, random },
      { named: [], keys: [] },
    );

  it('finds all three, and never puts a second relay of the guard’s /16 on the circuit', async () => {
    markRelay(db, a.publicKey, 'pin');
    for (const x of [0, 0.5, 0.99]) {
      const pool = poolWith(() => x);
      expect((await pool.start())?.publicKey).toBe(a.publicKey);
      expect(
        pool
          .list()
          .map((r) => r.publicKey)
          .sort(),
      ).toEqual([a, b, c].map((r) => r.publicKey).sort());
      expect(pool.otherHop()?.publicKey).toBe(c.publicKey); // b answers just as well, but shares a's /16
      expect(pool.otherHop([c])).toBeNull(); // a and c taken: b's block is a's
      await pool.stop();
    }
    markRelay(db, a.publicKey, 'unpin');
    markRelay(db, c.publicKey, 'pin');
    const pool = poolWith(() => 0.7);
    expect((await pool.start())?.publicKey).toBe(c.publicKey);
    expect([a.publicKey, b.publicKey]).toContain(pool.otherHop()?.publicKey);
    await pool.stop();
  });
});

describe('a relay that fails is measured and avoided', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2, { discoverRelays: true });
  });
  afterAll(async () => {
    await w.close();
  });

  it('the guard goes down: its failures are counted, and the next start takes the relay that answers', async () => {
    const alice = await w.start('alice', { reachableByStrangers: false });
    const guard = alice.relays().find((r) => r.uses.includes('guard'))!;
    const down = w.net.relayServers.find((s) => s.publicKey.toString('base64') === guard.publicKey)!;
    await down.stop();
    await until(
      () => (alice.relays().find((r) => r.publicKey === guard.publicKey)?.failuresInARow ?? 0) >= 3,
      () => `Alice's guard to be counted as failing 3 times (${JSON.stringify(alice.relays())})`,
      20_000,
    );
    await w.stop(alice);
    const again = await w.start('alice', { reachableByStrangers: false });
    const now = again.relays();
    const newGuard = now.find((r) => r.uses.includes('guard'))!;
    expect(newGuard.publicKey).not.toBe(guard.publicKey);
    expect(now.find((r) => r.publicKey === guard.publicKey)!.failuresInARow).toBeGreaterThanOrEqual(3);

    const bob = await w.start('bob', { reachableByStrangers: false });
    expect(bob.relays().find((r) => r.uses.includes('guard'))?.publicKey).toBe(newGuard.publicKey); // the one that answers
    again.addContact(bob.id);
    bob.addContact(again.id);
    const m = again.send(bob.id, 'through the relay that still answers');
    // One relay answers: it is the guard, and no second is there to exit the DHT traffic through, so
    // the lookup waits rather than leave from Alice's address (issue 13 §5) ...
    await until(
      () => again.outbox().some((o) => o.message_id === m.id && (o.last_error ?? '').includes(DHT_WAITING_SENTENCE)),
      'the outbox to say it waits for a second relay',
      20_000,
    );
    // ... until an operator starts another relay, which both find in the DHT.
    const later = await laterRelay(w.net, '127.22.0.10');
    try {
      await delivered(again, bob.id, 1, 90_000);
    } finally {
      await w.stop(again);
      await w.stop(bob);
      await later.stop();
    }
  });
});
