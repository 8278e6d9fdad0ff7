/**
 * Section `rtt`: 200 B message round trips (send → end-to-end receipt back), Parley direct, via one
 * relay and via two relays, beside a raw TCP echo on loopback measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestnet, type Testnet } from '../src/testnet/index.js';
import type { MessageRow } from '../src/store/index.js';
import { progress, type BenchContext, type SectionBody } from './section.js';
import { summarize, ms, type Summary } from './stats.js';

/** Round-trip times, and the CPU this process spent per round trip (both ends live here). */
export type Timed = Summary & { cpuMs: number };

/** Runs `fn`, returning its samples summarised with this process's CPU time per sample. */
async function timed(fn: () => Promise<number[]>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const samples = await fn();
  const c = process.cpuUsage(c0);
  return { ...summarize(samples), cpuMs: (c.user + c.system) / 1000 / samples.length };
}
import { tcpEchoRoundTrips } from './tcp-echo.js';
import { durableLimit, type Limit } from './limit.js';
import { benchPair, type Vis } from './pair.js';

/** `count` round trips from Alice to Bob with the given settings, after 20 warm-up ones. */
async function roundTrips(root: string, net: Testnet, count: number, size: number, aliceSets: Vis, bobSets: Vis): Promise<Timed> {
  // Bob in this process too: cpu_ms_per_rt is the CPU of both ends.
  const { alice, bob, stop } = await benchPair(root, net, { sets: [aliceSets, bobSets], retry: { baseMs: 2_000, maxMs: 5_000 } });
  try {
    const text = 'x'.repeat(size);
    const roundTrip = (): Promise<number> =>
      new Promise((resolve) => {
        const start = process.hrtime.bigint();
        const sent = alice.send(bob.id, text);
        const onDelivered = (m: MessageRow) => {
          if (m.id !== sent.id) return;
          alice.off('delivered', onDelivered);
          resolve(ms(start));
        };
        alice.on('delivered', onDelivered);
      });
    for (let i = 0; i < 20; i++) await roundTrip(); // warm-up: DHT lookup, session set-up
    return await timed(async () => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        samples.push(await roundTrip());
        if ((i + 1) % 250 === 0) progress(`  ${aliceSets}/${bobSets}: ${i + 1}/${count}`);
      }
      return samples;
    });
  } finally {
    await stop();
  }
}

async function withNet<T>(fn: (root: string, net: Testnet) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const net = await startTestnet({ dhtNodes: 8, relays: 2 });
  try {
    return await fn(root, net);
  } finally {
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The Parley direct round trip of this run (measured once, shared by `rtt` and `tox`). */
export async function parleyDirect(ctx: BenchContext, net?: { root: string; net: Testnet }): Promise<Timed> {
  const known = ctx.memo.get('parleyDirect') as Timed | undefined;
  if (known) return known;
  progress(`Parley direct: ${ctx.count} round trips of ${ctx.size} B`);
  const s = net
    ? await roundTrips(net.root, net.net, ctx.count, ctx.size, 'direct', 'direct')
    : await withNet((root, n) => roundTrips(root, n, ctx.count, ctx.size, 'direct', 'direct'));
  ctx.memo.set('parleyDirect', s);
  return s;
}

/** Raw TCP echo round trips of this run (shared by `rtt` and `tox`). */
export async function tcpEcho(ctx: BenchContext): Promise<Timed> {
  const known = ctx.memo.get('tcpEcho') as Timed | undefined;
  if (known) return known;
  progress(`raw TCP echo: ${ctx.count} round trips of ${ctx.size} B`);
  const s = await timed(() => tcpEchoRoundTrips(ctx.count, ctx.size));
  ctx.memo.set('tcpEcho', s);
  return s;
}

export async function rttSection(ctx: BenchContext): Promise<SectionBody> {
  const { count, size } = ctx;
  const tcp = await tcpEcho(ctx);
  let limit: Limit | undefined;
  const [direct, one, two] = await withNet(async (root, net) => {
    progress('durable limit: commits, libsignal pairs, Noise round trips');
    limit = await durableLimit(root, 300, size);
    const d = await parleyDirect(ctx, { root, net });
    progress(`Parley via 1 relay (their relay): ${count} round trips`);
    const o = await roundTrips(root, net, count, size, 'direct', 'relayed');
    progress(`Parley via 2 relays (my relay + circuit + theirs): ${count} round trips`);
    const t = await roundTrips(root, net, count, size, 'relayed', 'relayed');
    return [d, o, t];
  });
  const lim = limit!;
  const row = (measure: string, s: Timed) => ({
    measure,
    n: s.n,
    median_ms: s.median,
    p99_ms: s.p99,
    median_vs_tcp: s.median / tcp.median,
    median_vs_limit: s.median / lim.limitMs,
    cpu_ms_per_rt: s.cpuMs,
    cpu_vs_tcp: s.cpuMs / tcp.cpuMs,
  });
  const part = (measure: string, median: number) => ({ measure, n: 300, median_ms: median });
  return {
    title: `Message round trip, ${size} B`,
    rows: [
      row('raw TCP echo on loopback (baseline)', tcp),
      row('Parley direct (send → E2E receipt)', direct),
      row('Parley via their relay (1 relay)', one),
      row('Parley via my relay + circuit + theirs (2 relays)', two),
      part('limit part: one SQLite commit of a new 200 B row (WAL, synchronous = FULL)', lim.commitMs),
      part('(not in the limit) one commit rewriting one of 50 rows', lim.rewriteMs),
      part('limit part: one libsignal encrypt + decrypt, 200 B', lim.pairMs),
      part('limit part: one Noise round trip (transport frames)', lim.noiseMs),
      part('durable limit = 2 commits + 2 libsignal pairs + 1 Noise round trip', lim.limitMs),
    ],
    notes: [
      'Parley: Alice and Bob in this process on their own 127.0.0.x, real SQLite (synchronous = FULL), real libsignal, Noise over TCP; 20 warm-up round trips first.',
      'Durable limit (issue 14 goal: direct within 2×): what any design that stores a message and its receipt before acknowledging pays, its parts measured in this run (bench/limit.ts); median_vs_limit reads against it.',
      'Raw TCP echo: one socket pair on 127.0.0.1, Nagle off, no encryption, no storage: the floor any design pays.',
      "cpu_ms_per_rt: CPU time (user + system) of the bench process, where both ends run, per round trip; unlike wall-clock time it hardly moves with the machine's load (fsync waits are not CPU). The testnet's relays and DHT nodes run in this process too, so the relay rows include the relays' CPU.",
    ],
  };
}
