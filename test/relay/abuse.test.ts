import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayError, type RelayServer } from '../../src/relay/index.js';
import { dial } from '../../src/transport/index.js';
import { toB64 } from '../../src/wire/bytes.js';
import { relayClientCodec } from '../../src/wire/relay-frames.js';
import { mailboxIdFor } from '../../src/relay/index.js';
import { until } from '../helpers/until.js';
import { cleanup, closed, clientOf, sleep, startRelay } from './helpers.js';

const RELAY = '127.0.0.51';
const ALICE = '127.0.0.52';
const BOB = '127.0.0.53';
const ATTACKER = '127.0.0.54';
const NEWCOMER = '127.0.0.55';

afterEach(cleanup);

async function rawSocket(relay: RelayServer, from = ATTACKER): Promise<Socket> {
  const s = connect({ ...relay.address(), localAddress: from });
  s.on('error', () => {});
  await new Promise((resolve, reject) => s.once('connect', resolve).once('error', reject));
  return s;
}

function untilClosed(s: Socket, ms = 5000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (s.destroy(), resolve()), ms);
    s.once('close', () => (clearTimeout(timer), resolve()));
  });
}

/** Each kind of garbage a hostile or broken client sends (from `from`); each should cost it its own connection. */
const attacks: Record<string, (relay: RelayServer, from: string) => Promise<void>> = {
  async randomBytes(relay, from) {
    const s = await rawSocket(relay, from);
    s.end(randomBytes(1 + Math.floor(Math.random() * 2000)));
    await untilClosed(s);
  },
  async oversizedLength(relay, from) {
    const s = await rawSocket(relay, from);
    s.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), randomBytes(100)]));
    await untilClosed(s);
  },
  async halfHandshake(relay, from) {
    const s = await rawSocket(relay, from);
    s.write(Buffer.concat([Buffer.from([96, 0, 0]), randomBytes(40)]));
    await sleep(20);
    s.destroy();
  },
  async garbageAfterHandshake(relay, from) {
    const { host, port } = relay.address();
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const conn = await dial(relayClientCodec, { host, port, remotePublicKey: relay.publicKey, keyPair, localAddress: from });
    const gone = new Promise((resolve) => conn.once('close', resolve));
    conn.stream.write(randomBytes(50));
    await gone;
  },
  async silent(relay, from) {
    await untilClosed(await rawSocket(relay, from)); // slow-loris: the handshake timeout ends it
  },
};
const plan = ['randomBytes', 'oversizedLength', 'halfHandshake', 'garbageAfterHandshake'];

/** Runs `run` `total` times, `concurrency` at once; worker w passes its own number. */
async function bounded(total: number, concurrency: number, run: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (w: number) => {
    while (next < total) await run(next++, w);
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
}

describe('relay under abuse', () => {
  it('serves two talking clients through 1,000 garbage connections, counting each drop by reason', async () => {
    // Garbage from 100 addresses, one connection each at a time: each kind reaches the handshake (one
    // address opening many at once is turned away at accept; test/relay/attack.test.ts).
    const relay = await startRelay(RELAY, { limits: { handshakeTimeoutMs: 1000 } });
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const aliceBox = await alice.registerMailbox(randomBytes(32));
    const bobBox = await bob.registerMailbox(randomBytes(32));
    const got = { alice: new Set<string>(), bob: new Set<string>() };
    alice.on('mail', (m) => got.alice.add(m.bytes.toString()));
    bob.on('mail', (m) => got.bob.add(m.bytes.toString()));

    let attacking = true;
    let exchanged = 0;
    const chatter = (async () => {
      while (attacking) {
        await Promise.all([alice.send(bobBox, Buffer.from(`to bob ${exchanged}`)), bob.send(aliceBox, Buffer.from(`to alice ${exchanged}`))]);
        exchanged++;
        await sleep(5);
      }
    })();
    const kinds: Record<string, number> = {};
    await bounded(1000, 100, async (i, w) => {
      const kind = i % 20 === 0 ? 'silent' : plan[i % plan.length]!;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      await attacks[kind]!(relay, `127.0.7.${1 + w}`);
    });
    attacking = false;
    await chatter;

    expect(exchanged).toBeGreaterThan(20);
    await until(
      () => got.alice.size === exchanged && got.bob.size === exchanged,
      () => `every mail exchanged during the attack (${exchanged} each way; Alice has ${got.alice.size}, Bob ${got.bob.size})`,
    );
    expect(relay.metrics().stored.items).toBe(2 * exchanged); // delivered live, kept until acked
    const m = relay.metrics();
    expect(m.disconnects.FRAME_TOO_LARGE).toBeGreaterThanOrEqual(kinds.oversizedLength!);
    expect(m.disconnects.BAD_FRAME).toBe(kinds.garbageAfterHandshake);
    expect(m.disconnects.HANDSHAKE_TIMEOUT).toBeGreaterThanOrEqual(kinds.silent!);
    expect(m.disconnects.HANDSHAKE_FAILED).toBeGreaterThanOrEqual(kinds.halfHandshake!);
    expect(Object.values(m.disconnects).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
    expect(alice.connected && bob.connected).toBe(true);

    const newcomer = await clientOf(relay, NEWCOMER);
    const blob = await newcomer.putBlob(randomBytes(32), Buffer.from('still here'));
    expect((await alice.getBlob(blob))?.toString()).toBe('still here');
  });

  it('answers a burst beyond the rate with RATE_LIMITED, and disconnects a flooding client alone', async () => {
    const relay = await startRelay(RELAY, { limits: { framesPerSecond: 50, frameBurst: 100 } });
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const flooder = await clientOf(relay, ATTACKER);
    const aliceBox = await alice.registerMailbox(randomBytes(32));
    const floodBox = await flooder.registerMailbox(randomBytes(32));

    const burst = await Promise.allSettled(Array.from({ length: 150 }, () => flooder.send(floodBox, Buffer.from('x'))));
    const codes = burst.map((r) => (r.status === 'fulfilled' ? 'ok' : RelayError.is(r.reason) ? r.reason.code : 'other'));
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(30);
    expect(flooder.connected).toBe(true);

    const reason = closed(flooder);
    const flood = Array.from({ length: 3000 }, () => flooder.send(floodBox, Buffer.from('x')).catch((e: unknown) => e));
    expect(await reason).toBe('FLOOD');
    expect((await Promise.all(flood)).some((e) => RelayError.is(e) && e.code === 'CLOSED')).toBe(true);

    const arrived = new Promise((resolve) => alice.once('mail', resolve));
    await bob.send(aliceBox, Buffer.from('unaffected'));
    expect(await arrived).toMatchObject({ mailboxId: aliceBox });
    await until(
      () => relay.metrics().disconnects.FLOOD === 1,
      () => `one FLOOD disconnect (disconnects: ${JSON.stringify(relay.metrics().disconnects)})`,
    );
    expect(relay.metrics().drops.RATE_LIMITED).toBeGreaterThan(30);
    expect(relay.metrics().connections.open).toBe(2);
  });

  it('drops live pushes to an owner that stops reading (counted), keeps its mail, and serves others', async () => {
    const MiB = 1024 * 1024;
    const relay = await startRelay(RELAY, {
      limits: { dropQueuedBytes: 256 * 1024, mailboxItems: 10_000, mailboxBytes: 64 * MiB, bytesPerSecond: 64 * MiB, byteBurst: 64 * MiB },
    });
    const { host, port } = relay.address();
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const stalled = await dial(relayClientCodec, { host, port, remotePublicKey: relay.publicKey, keyPair, localAddress: ATTACKER });
    const secret = randomBytes(32);
    const registered = new Promise((resolve) => stalled.once('frame', resolve));
    stalled.send({ v: 2, t: 'register', id: 1, secret: toB64(secret) });
    await registered;
    stalled.stream.pause(); // stops reading: the relay's queue towards it grows

    const bob = await clientOf(relay, BOB);
    const alice = await clientOf(relay, ALICE);
    const aliceBox = await alice.registerMailbox(randomBytes(32));
    const mailbox = mailboxIdFor(secret);
    const chunk = randomBytes(40 * 1024);
    let sent = 0;
    while (!relay.metrics().drops.OUT_QUEUE_FULL && sent < 2000) {
      await bob.send(mailbox, chunk);
      sent++;
    }
    expect(relay.metrics().drops.OUT_QUEUE_FULL).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await bob.send(mailbox, chunk);
    const arrived = new Promise((resolve) => alice.once('mail', resolve));
    await bob.send(aliceBox, Buffer.from('unaffected'));
    expect(await arrived).toMatchObject({ mailboxId: aliceBox });

    stalled.close();
    const owner = await clientOf(relay, ATTACKER);
    await owner.registerMailbox(secret);
    expect((await owner.fetch(mailbox)).length).toBe(sent + 5); // nothing lost: the mailbox kept it all
  });
});
