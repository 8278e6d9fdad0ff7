import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Identity } from '../../src/identity/index.js';
import { DhtNode, encodeIntro, INTRO_SALT, lookupIntro, Republisher } from '../../src/dht/index.js';
import { startTestnet } from '../../src/testnet/index.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { until } from '../helpers/until.js';
import { introOf } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);
const cleanup: Array<() => Promise<void>> = [];
let hostByte = 20 + Math.floor(Math.random() * 200);

async function client(bootstrap: string[], extra: Partial<ConstructorParameters<typeof DhtNode>[0]> = {}): Promise<DhtNode> {
  const node = new DhtNode({ bootstrap, host: `127.0.1.${(hostByte++ % 250) + 2}`, loopbackOnly: true, ...extra });
  await node.start();
  cleanup.push(() => node.stop());
  return node;
}

function republisherFor(alice: Identity, dht: DhtNode, extra: Partial<ConstructorParameters<typeof Republisher>[0]> = {}) {
  const r = new Republisher({
    dht,
    keyPair: alice.identityKey,
    salt: INTRO_SALT,
    value: () => encodeIntro(introOf(alice, { expiresAt: now() + 7200 })),
    ...extra,
  });
  cleanup.push(() => r.stop());
  return r;
}

afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

describe('Republisher', () => {
  it('the same identity restored elsewhere with a clock behind continues from the stored sequence number at once', async () => {
    const net = await startTestnet({ dhtNodes: 4 });
    cleanup.push(() => net.stop());
    const alice = Identity.generate();
    const ahead = republisherFor(alice, await client(net.bootstrap), { now: () => Date.now() + 3_600_000 });
    await ahead.start();
    const stored = ahead.status().lastSeq!;
    await ahead.stop();
    const restored = republisherFor(alice, await client(net.bootstrap), { retry: { baseMs: 60_000, maxMs: 60_000 } });
    await restored.start(); // most nodes refuse (they hold a higher seq): it looks that up and publishes past it at once
    const status = await until(
      () => (restored.status().lastSeq! > stored ? restored.status() : undefined),
      'the restored republisher to publish a higher seq',
      5_000,
    );
    expect(status).toMatchObject({ lastSeq: stored + 1, failures: 0 });
    expect(status.lastStoredOn).toBeGreaterThanOrEqual(4);
    expect((await lookupIntro(await client(net.bootstrap), alice.id, now())).seq).toBe(stored + 1);
  });

  it('a reinstall within the same second (same seq, another record) publishes past the old record', async () => {
    const net = await startTestnet({ dhtNodes: 4 });
    cleanup.push(() => net.stop());
    const alice = Identity.generate();
    const second = Date.now();
    const old = republisherFor(alice, await client(net.bootstrap), { now: () => second });
    await old.start();
    const stored = old.status().lastSeq!;
    await old.stop();
    // The new install signs with the same ID key but names another Signal key: BEP44 nodes refuse an
    // equal seq, so without looking first it would land on almost no node and readers would keep
    // finding the old install's record.
    const reinstalled = Identity.generate();
    const fresh = new Identity(alice.identityKey, reinstalled.transportKey, reinstalled.signalIdentityPrivate, 4321);
    const next = republisherFor(fresh, await client(net.bootstrap), { now: () => second });
    await next.start();
    expect(next.status()).toMatchObject({ lastSeq: stored + 1, failures: 0 });
    expect(next.status().lastStoredOn).toBeGreaterThanOrEqual(4);
    const found = await lookupIntro(await client(net.bootstrap), alice.id, now());
    expect(found.seq).toBe(stored + 1);
    expect(found.signalIdentityKey).toEqual(fresh.signalIdentityPublic);
  });

  it('publishes on start and again each interval, with sequence numbers that only go up', async () => {
    const net = await startTestnet({ dhtNodes: 4 });
    cleanup.push(() => net.stop());
    const alice = Identity.generate();
    const republisher = republisherFor(alice, await client(net.bootstrap), { intervalMs: 150 });
    await republisher.start();
    const first = republisher.status();
    expect(first).toMatchObject({ failures: 0 });
    expect(first.lastStoredOn).toBeGreaterThanOrEqual(4);
    const reader = await client(net.bootstrap);
    expect((await lookupIntro(reader, alice.id, now())).seq).toBeGreaterThanOrEqual(first.lastSeq!);
    await republisher.refresh();
    expect(republisher.status().lastSeq).toBeGreaterThan(first.lastSeq!);

    const later = await until(
      async () => {
        const intro = await lookupIntro(reader, alice.id, now());
        return intro.seq >= first.lastSeq! + 2 ? intro : undefined;
      },
      'two more republications in the DHT',
      10_000,
    );
    expect(later.seq).toBeGreaterThan(first.lastSeq!);
    await republisher.stop();
    const stoppedAt = republisher.status().lastSeq;
    // A witness on the same interval, still running: once it has republished twice, the stopped
    // one would have too.
    const witness = republisherFor(Identity.generate(), await client(net.bootstrap), { intervalMs: 150 });
    await witness.start();
    const witnessFrom = witness.status().lastSeq!;
    await until(() => witness.status().lastSeq! >= witnessFrom + 2, 'the witness to republish twice', 10_000);
    await witness.stop();
    expect(republisher.status().lastSeq).toBe(stoppedAt);
  });

  it('retries with backoff while the network is unreachable, logging no content, then publishes', async () => {
    // Reserve a loopback port for a network that is not up yet.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.2', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const { logger, lines } = capturingLogger();
    const alice = Identity.generate();
    const dht = await client([`127.0.0.2:${port}`], { readyTimeoutMs: 50, queryTimeoutMs: 100 });
    const republisher = republisherFor(alice, dht, { logger, retry: { baseMs: 50, maxMs: 200 } });
    await republisher.start();
    expect(republisher.status().failures).toBeGreaterThanOrEqual(1);
    await until(
      () => republisher.status().failures >= 2,
      () => `two failed attempts (status: ${JSON.stringify(republisher.status())})`,
    );

    const net = await startTestnet({ dhtNodes: 3, basePort: port });
    cleanup.push(() => net.stop());
    await until(
      () => republisher.status().failures === 0,
      () => `a publish once the network is up (status: ${JSON.stringify(republisher.status())})`,
    );
    const reader = await client(net.bootstrap);
    expect((await lookupIntro(reader, alice.id, now())).id).toBe(alice.id);

    const log = lines.join('\n');
    expect(log).toMatch(/could not publish DHT record; will retry/);
    expect(log).toMatch(/NO_BOOTSTRAP/);
    for (const secret of [alice.id, alice.identityKey.publicKey.toString('hex'), '127.0.0.', `:${port}`]) {
      expect(log).not.toContain(secret);
    }
  });
});
