import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { world, received, delivered } from '../helpers/people.js';
import { dial, type Connection } from '../../src/transport/index.js';
import { peerCodec, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { relayClientCodec, type RelayToClient } from '../../src/wire/relay-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayServer } from '../../src/relay/index.js';
import { drained } from '../../src/relay/flow.js';
import { batchFrames } from '../../src/transport/batch.js';
import type { ParleyNode } from '../../src/node/index.js';
import { clientFrame, envelope, garbage, jsonObject, peerFrame } from './arbitraries.js';
import { until } from '../helpers/until.js';
import { scale, budget, watchProcess, sleep, SEED } from './soak.js';

/*
 * A frame storm against a live node (its direct listener) and a live relay, while two people chat
 * through that relay: schema-valid nonsense on a few long-lived Noise sessions, mutated frames after
 * a valid handshake, and garbage before any handshake. Nothing may crash, no promise may be left
 * rejected unhandled, every request the relay gets is answered, every envelope the node gets is
 * dropped (and counted), and the chat loses nothing and duplicates nothing.
 */

/** Frames for each target (node and relay); 100,000 in all in `npm test`. */
const FRAMES = scale(50_000, 500_000);
/** Of which sent one per fresh connection: mutated or garbage frames that cost their connection. */
const BROKEN = scale(600, 6_000);
const SESSIONS = 4;
const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);

/** Samples of `arb` in batches, reproducible from the seed. */
function* samples<T>(arb: fc.Arbitrary<T>, total: number, salt: number): Generator<T> {
  for (let done = 0, batch = 0; done < total; batch++) {
    const n = Math.min(1000, total - done);
    yield* fc.sample(arb, { numRuns: n, seed: seed + salt * 1_000_003 + batch });
    done += n;
  }
}

/** Writes `frames` on `conn`, waiting whenever its queue towards the peer grows past 64 KiB. */
async function pump<In>(conn: Connection<In, unknown>, frames: Iterable<In>, onSent: () => void): Promise<void> {
  let n = 0;
  for (const f of frames) {
    if (!conn.send(f)) throw new Error(`storm session closed early (${conn.closeReason})`);
    onSent();
    if (conn.queuedBytes > 64 * 1024) await drained(conn);
    // The node and the relay run in this process too: let them (and the chat) have the event loop.
    else if (++n % 200 === 0) await new Promise((r) => setImmediate(r));
  }
}

const closedOf = (conn: Connection<never, unknown>) =>
  conn.closeReason ? Promise.resolve() : new Promise<void>((resolve) => conn.once('close', () => resolve()));

/** Garbage before any handshake: random bytes, or a length prefix far over the cap. */
async function rawGarbage(host: string, port: number, localAddress: string, i: number): Promise<void> {
  const s = connect({ host, port, localAddress });
  s.on('error', () => {});
  await new Promise((resolve) => s.once('connect', resolve).once('close', resolve));
  s.end(i % 2 ? randomBytes(1 + (i % 3000)) : Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), randomBytes(64)]));
  await new Promise((resolve) => s.once('close', resolve));
}

/** A counting logger: how many envelopes the node dropped, and any line that mentions a crash. */
function countingLogger() {
  const counts = { dropped: 0, lines: 0 };
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const line = chunk.toString();
      counts.lines++;
      if (line.includes('did not decrypt')) counts.dropped++;
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), counts };
}

describe('a frame storm against a live node and a live relay', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let relay: RelayServer;
  beforeAll(async () => {
    w = await world(6, 0);
    // The storm relay takes frames as fast as they come, so they reach its handlers rather than its rate limiter.
    relay = new RelayServer({
      host: '127.0.2.60',
      limits: { framesPerSecond: 1e9, frameBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12 },
    });
    await relay.start();
  });
  afterAll(async () => {
    await w.close();
    await relay.stop();
  });

  it(
    `${FRAMES} frames at each, ${BROKEN} of them breaking their connection: no crash, all answered, the chat goes on`,
    async () => {
      const watch = watchProcess();
      try {
        const { logger, counts } = countingLogger();
        const relayAddr = { ...relay.address(), publicKey: relay.publicKey.toString('base64') };
        // One relay, the one stormed: they reach the DHT from their own address, with consent (with one
        // relay alone and no consent their lookups would wait for a second: issue 13 §5).
        const bob: ParleyNode = await w.start('bob', { logger, relays: [relayAddr], reachableByStrangers: true });
        const alice: ParleyNode = await w.start('alice', { relays: [relayAddr], reachableByStrangers: true });
        alice.addContact(bob.id);
        bob.addContact(alice.id);
        alice.send(bob.id, 'before the storm');
        await received(bob, alice.id, 1);
        await delivered(alice, bob.id, 1);
        const openBefore = relay.metrics().connections.open;

        // The chat: both ways, all through the storm.
        let chatting = true;
        const sentByAlice: string[] = ['before the storm'];
        const sentByBob: string[] = [];
        const chat = (async () => {
          for (let i = 0; chatting; i++) {
            sentByAlice.push(`a${i}`);
            alice.send(bob.id, `a${i}`);
            sentByBob.push(`b${i}`);
            bob.send(alice.id, `b${i}`);
            await sleep(150);
          }
        })();

        const node = bob.address();
        const bobKey = bob.identity.transportKey.publicKey;
        const toNode = (localAddress: string) =>
          dial(peerCodec, {
            ...node,
            remotePublicKey: bobKey,
            keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(),
            localAddress,
            connectTimeoutMs: 30_000,
          });
        const toRelay = (localAddress: string) =>
          dial(relayClientCodec, {
            ...relay.address(),
            remotePublicKey: relay.publicKey,
            keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(),
            localAddress,
            connectTimeoutMs: 30_000,
          });

        // Long-lived sessions: schema-valid frames that must not cost the connection.
        // Node: envelopes from random IDs with random Signal bodies, and answers to bundle requests never made.
        const nodeFrames = fc.oneof(
          { weight: 9, arbitrary: envelope(false) },
          {
            weight: 1,
            arbitrary: fc.record({
              v: fc.constant(1 as const),
              t: fc.constant('bundle' as const),
              n: fc.string({ minLength: 1, maxLength: 64 }),
              bundle: jsonObject,
            }),
          },
        ) as fc.Arbitrary<PeerFrameOut>;
        // Relay: every request type, circuits only towards addresses a loopback relay refuses.
        const relayFrames = clientFrame(
          false,
          fc.ipV4().filter((h) => !h.startsWith('127.')),
        );
        const steady = FRAMES - BROKEN;
        const per = Math.ceil(steady / SESSIONS);
        let envelopesSent = 0;
        let nodeSent = 0;
        let relaySent = 0;
        let requests = 0;
        let answers = 0;
        const nodeSessions = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => toNode(`127.0.0.24${i}`)));
        const relaySessions = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => toRelay(`127.0.0.24${i}`)));
        for (const s of relaySessions) s.on('frame', (f: RelayToClient) => void ('id' in f && f.id !== undefined && answers++));
        const steadyRuns = [
          ...nodeSessions.map((s, i) =>
            pump(
              s,
              tap(samples(nodeFrames, Math.min(per, steady - i * per), i), (f) => void (f.t === 'env' && envelopesSent++)),
              () => nodeSent++,
            ),
          ),
          ...relaySessions.map((s, i) =>
            pump(
              s,
              tap(samples(relayFrames, Math.min(per, steady - i * per), 100 + i), (f) => void ('id' in f && requests++)),
              () => relaySent++,
            ),
          ),
        ];

        // Broken frames, each on its own connection: mutated after a valid handshake, or garbage before one.
        const peerGarbage = samples(garbage(peerFrame(false).map((f) => peerCodec.encode(f))), BROKEN, 7);
        // Relay messages are batches of frames (transport/batch.ts): mutate the batch, its lengths too.
        const relayGarbage = samples(garbage(relayFrames.map((f) => batchFrames([relayClientCodec.encode(f)]))), BROKEN, 8);
        let brokenSent = 0;
        const breakers = async (lane: number) => {
          for (let i = lane; i < BROKEN; i += 4) {
            const local = `127.0.0.${230 + lane}`;
            if (i % 10 === 0) {
              await rawGarbage(node.host, node.port, local, i);
              await rawGarbage(relay.address().host, relay.address().port, local, i);
            } else {
              const [p, r] = await Promise.all([toNode(local), toRelay(local)]);
              p.stream.write(peerGarbage.next().value as Buffer);
              r.stream.write(relayGarbage.next().value as Buffer);
              // A mutant may still be a valid frame; either way this link is done.
              await sleep(1);
              p.close();
              r.close();
              await Promise.all([closedOf(p), closedOf(r)]);
            }
            brokenSent += 2;
          }
        };
        const started = Date.now();
        const heapBefore = process.memoryUsage().heapUsed;
        let heapPeak = heapBefore;
        const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
        await Promise.all([...steadyRuns, ...[0, 1, 2, 3].map(breakers)]);
        const stormMs = Date.now() - started;
        clearInterval(sampler);

        // Every envelope dropped and counted; every relay request answered; every steady session still open.
        await until(
          () => counts.dropped >= envelopesSent,
          () => `the node to drop every envelope (dropped ${counts.dropped} of ${envelopesSent})`,
          budget(60_000, 600_000),
        );
        await until(
          () => answers >= requests,
          () => `the relay to answer every request (answered ${answers} of ${requests})`,
          budget(60_000, 600_000),
        );
        const caughtUpMs = Date.now() - started - stormMs;
        // A mutant that is still a valid envelope is dropped too: at most one per broken connection.
        expect(counts.dropped - envelopesSent).toBeLessThanOrEqual(BROKEN);
        expect(answers).toBe(requests);
        for (const s of [...nodeSessions, ...relaySessions]) expect(s.closeReason).toBeNull();
        expect(nodeSent + relaySent + brokenSent).toBeGreaterThanOrEqual(2 * FRAMES);

        chatting = false;
        await chat;
        alice.send(bob.id, 'after the storm');
        sentByAlice.push('after the storm');
        await delivered(alice, bob.id, sentByAlice.length, 60_000);
        await delivered(bob, alice.id, sentByBob.length, 60_000);
        const atBob = bob
          .history(alice.id, 100_000)
          .filter((m) => m.direction === 'in')
          .map((m) => m.body);
        const atAlice = alice
          .history(bob.id, 100_000)
          .filter((m) => m.direction === 'in')
          .map((m) => m.body);
        expect(atBob).toEqual(sentByAlice);
        expect(atAlice).toEqual(sentByBob);
        expect(bob.contacts().map((c) => c.id)).toEqual([alice.id]); // no storm sender became a contact

        for (const s of [...nodeSessions, ...relaySessions]) s.close();
        await until(() => relay.metrics().connections.open === openBefore, 'storm connections to close on the relay');
        const mb = (n: number) => Math.round(n / 2 ** 20);
        console.log(
          `frame storm (seed ${seed}): ${nodeSent + relaySent + brokenSent} frames in ${stormMs} ms; chat ${sentByAlice.length}+${sentByBob.length} messages; ` +
            `heap ${mb(heapBefore)} MB before, ${mb(heapPeak)} MB at most during; node and relay caught up ${caughtUpMs} ms after the last frame`,
        );
        expect(watch.problems).toEqual([]);
      } finally {
        watch.stop();
      }
    },
    budget(240_000, 3_600_000),
  );
});

/** Passes `frames` through, showing each to `see` as it is taken. */
function* tap<T>(frames: Iterable<T>, see: (f: T) => void): Generator<T> {
  for (const f of frames) {
    see(f);
    yield f;
  }
}
