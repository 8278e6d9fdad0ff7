/**
 * Section `relay`: the relay in its own process (so on one core), beside a plain TCP splice proxy
 * running in that same process:
 *  - forwarding rate: 200 B mailbox sends from one client delivered live to another (which acks
 *    them, as a node does), vs 200 B writes forwarded untouched by the splice proxy;
 *  - memory per idle connection: the process's RSS growth from FIRST to IDLE idle Noise connections,
 *    per connection (clients spread over many 127.0.x.y source addresses), vs the same count of
 *    splice connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { createInterface, type Interface } from 'node:readline';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { RelayClient } from '../src/relay/index.js';
import { progress, type BenchContext, type SectionBody } from './section.js';

/**
 * Idle connections, the same count on both sides (like for like): a splice connection holds two
 * sockets in the proxy, and the process may open 20,000 files here, so at most 9,000.
 */
const IDLE = Math.min(9_000, Number(process.env.BENCH_IDLE ?? 9_000));
/** Memory is read once this many connections are open and again at IDLE: one-off costs fall before the first reading. */
const FIRST = Math.ceil(IDLE / 9);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
/** Timed rounds of MESSAGES per forwarder (the median is reported), after one untimed warm-up round. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 250;
const IDLE_MS = 600_000;

/** Idle client i's source address: 200 per 127.0.1x.y block, so no one address runs short of ports. */
const sourceAddress = (i: number) => `127.0.${10 + Math.floor((i % 40_000) / 200)}.${1 + (i % 200)}`;

/**
 * The forwarding process runs bundled by esbuild, as `parley relay` runs from bin/parley.js: under
 * tsx every function keeps its name in a property of its own (about 2.5 KiB per idle connection)
 * and its loader hooks cost CPU, neither of which a deployed relay pays.
 */
let bundledChild: string | null = null;
function childScript(): string {
  if (bundledChild) return bundledChild;
  const out = join('src', '.build', 'bench-relay-child.mjs');
  mkdirSync(dirname(out), { recursive: true });
  buildSync({
    entryPoints: ['bench/relay-child.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: out,
    logLevel: 'silent',
  });
  return (bundledChild = out);
}

class Child {
  readonly proc: ChildProcess;
  readonly #lines: Interface;
  readonly #queue: string[] = [];
  #waiting: ((line: string) => void) | null = null;
  #exit: string | null = null;

  constructor() {
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    this.proc = spawn(process.execPath, ['--expose-gc', ...prof, childScript()], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#lines = createInterface({ input: this.proc.stdout! });
    this.#lines.on('line', (l) => (this.#waiting ? this.#waiting(l) : this.#queue.push(l)));
    this.proc.once('exit', (code, signal) => {
      this.#exit = `the relay process exited (${signal ?? code})`;
    });
  }

  /** Sends a command (if any) and waits for the next line, failing if the process is gone. */
  async ask<T>(cmd?: string, timeoutMs = 30_000): Promise<T> {
    if (cmd) this.proc.stdin!.write(cmd + '\n');
    const line =
      this.#queue.shift() ??
      (await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          if (this.#exit) {
            clearInterval(timer);
            reject(new Error(this.#exit));
          }
        }, 200);
        const give = setTimeout(() => {
          clearInterval(timer);
          reject(new Error(`the relay process did not answer "${cmd}" within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        this.#waiting = (l) => {
          this.#waiting = null;
          clearInterval(timer);
          clearTimeout(give);
          resolve(l);
        };
      }));
    return JSON.parse(line) as T;
  }

  /** Closes its stdin (it exits by itself, writing its CPU profile if asked to); kills it if it lingers. */
  kill(): void {
    this.proc.stdin!.end();
    setTimeout(() => {
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }, 3000).unref();
  }
}

interface PerConnection {
  rss: number;
  heap: number;
  external: number;
  /** The connections open at the two readings. */
  at: [number, number];
}

/**
 * Opens IDLE connections with `open`, reading the forwarder's memory (after a GC) once FIRST are
 * open and again at the end: the growth between, per connection, in KiB. The young generation V8
 * grows under the handshakes' allocations and the code compiled for them come before the first
 * reading, so neither is spread over the connections, on either side.
 */
async function idleMemory<T>(child: Child, what: string, open: (i: number) => Promise<T>, count: (r: Rss) => number, settle = async () => {}) {
  const first = await openMany(FIRST, what, open);
  await settle();
  const r0 = await child.ask<Rss>('rss');
  const all = await openMany(IDLE, what, open, FIRST, first.open, first.failed);
  await settle();
  const r1 = await child.ask<Rss>('rss');
  const n = count(r1) - count(r0);
  const per: PerConnection = {
    rss: (r1.rss - r0.rss) / n / 1024,
    heap: (r1.heap - r0.heap) / n / 1024,
    external: (r1.external - r0.external) / n / 1024,
    at: [count(r0), count(r1)],
  };
  return { ...all, per };
}

type Rss = { rss: number; heap: number; external: number; relayConns: number; spliceConns: number };

/** A forwarding measurement: wall-clock rate, and the forwarder's own CPU time for the same messages. */
interface Forwarded {
  rate: number;
  cpuUs: number;
  wallUs: number;
}

async function forwardingRate(child: Child, relay: { host: string; port: number; publicKey: string }): Promise<Forwarded> {
  const bob = await new RelayClient({ ...relay, localAddress: '127.0.3.2' }).connect();
  const alice = await new RelayClient({ ...relay, localAddress: '127.0.3.3' }).connect();
  try {
    const mailbox = await bob.registerMailbox(Buffer.alloc(32, 7));
    let got = 0;
    const toAck: number[] = [];
    const acks: Array<Promise<unknown>> = [];
    // Bob acknowledges as a node does (the relay keeps an item until it is acked, 1,000 per mailbox).
    const done = new Promise<void>((resolve) =>
      bob.on('mail', (item) => {
        toAck.push(item.itemId);
        if (toAck.length >= 32) acks.push(bob.ack(mailbox, toAck.splice(0)));
        if (++got === MESSAGES) resolve();
      }),
    );
    const cpu0 = (await child.ask<{ us: number }>('cpu')).us;
    const t0 = process.hrtime.bigint();
    const payload = Buffer.alloc(200, 1);
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < MESSAGES; i++) {
      const p: Promise<void> = alice.send(mailbox, payload).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= 64) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await done;
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    const cpuUs = (await child.ask<{ us: number }>('cpu')).us - cpu0;
    await Promise.all(acks);
    return { rate: MESSAGES / (wallUs / 1e6), cpuUs, wallUs };
  } finally {
    await alice.close();
    await bob.close();
  }
}

async function spliceRate(child: Child, sink: Server, port: number): Promise<Forwarded> {
  let received = 0;
  const sinkDone = new Promise<void>((resolve) => {
    sink.once('connection', (s: Socket) =>
      s.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= MESSAGES * 200) resolve();
      }),
    );
  });
  const c = connect({ port, host: '127.0.3.1', localAddress: '127.0.3.5' });
  await new Promise((r) => c.once('connect', r));
  const payload = Buffer.alloc(200, 1);
  const cpu0 = (await child.ask<{ us: number }>('cpu')).us;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i++) if (!c.write(payload)) await new Promise((r) => c.once('drain', r));
  await sinkDone;
  const wallUs = Number(process.hrtime.bigint() - t1) / 1e3;
  const cpuUs = (await child.ask<{ us: number }>('cpu')).us - cpu0;
  c.destroy();
  return { rate: MESSAGES / (wallUs / 1e6), cpuUs, wallUs };
}

/**
 * `measure` once untimed (the forwarder's code compiled by V8's optimizing tiers, as in a relay
 * that has been running), then ROUNDS times: the round with the median CPU time, and the first (cold) round.
 */
async function rounds(measure: () => Promise<Forwarded>): Promise<{ warm: Forwarded; cold: Forwarded }> {
  const cold = await measure();
  const timed: Forwarded[] = [];
  for (let i = 0; i < ROUNDS; i++) timed.push(await measure());
  timed.sort((x, y) => x.cpuUs - y.cpuUs);
  return { warm: timed[Math.floor(timed.length / 2)]!, cold };
}

/** Opens `n` connections with `open(i)`, BATCH at a time; failures are counted, not fatal. */
async function openMany<T>(
  n: number,
  what: string,
  open: (i: number) => Promise<T>,
  from = 0,
  out: T[] = [],
  failed = new Map<string, number>(),
): Promise<{ open: T[]; failed: Map<string, number> }> {
  for (let i = from; i < n; i += BATCH) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => open(i + k)));
    for (const r of batch) {
      if (r.status === 'fulfilled') out.push(r.value);
      else {
        const code = (r.reason as { code?: string }).code ?? String(r.reason);
        failed.set(code, (failed.get(code) ?? 0) + 1);
      }
    }
    if ((i + BATCH) % 2000 === 0 || i + BATCH >= n) progress(`  ${what}: ${out.length} open, ${i + BATCH - out.length} failed`);
  }
  return { open: out, failed };
}

export async function relaySection(_ctx: BenchContext): Promise<SectionBody> {
  const sink = createServer((s) => s.resume());
  await new Promise<void>((r) => sink.listen(0, '127.0.3.4', r));
  const sinkPort = (sink.address() as { port: number }).port;
  // Each measurement gets a fresh forwarding process, so none inherits another's freed heap.
  const children: Child[] = [];
  const fresh = async () => {
    const c = new Child();
    children.push(c);
    return { child: c, relay: await c.ask<{ host: string; port: number; publicKey: string }>() };
  };
  const idle: RelayClient[] = [];
  const spliced: Socket[] = [];
  const notes: string[] = [];
  try {
    const a = await fresh();
    progress(`relay: forwarding ${MESSAGES} mailbox sends of 200 B, 1 + ${ROUNDS} rounds`);
    const relayRounds = await rounds(() => forwardingRate(a.child, a.relay));
    const relayFwd = relayRounds.warm;
    a.child.kill();
    // The splice in a process of its own, so that neither forwarder runs in the other's leftover heap.
    const s = await fresh();
    progress(`relay: splice proxy forwarding ${MESSAGES} writes of 200 B, 1 + ${ROUNDS} rounds`);
    const { port: fwdSplicePort } = await s.child.ask<{ port: number }>(`splice 127.0.3.4 ${sinkPort}`);
    const spliceRounds = await rounds(() => spliceRate(s.child, sink, fwdSplicePort));
    const spliceFwd = spliceRounds.warm;
    s.child.kill();

    const b = await fresh();
    progress(`relay: opening ${IDLE} idle Noise connections, ${BATCH} at a time`);
    const relayIdle = await idleMemory(
      b.child,
      'relay',
      (i) => new RelayClient({ ...b.relay, localAddress: sourceAddress(i), idleTimeoutMs: IDLE_MS, connectTimeoutMs: 30_000 }).connect(),
      (r) => r.relayConns,
    );
    idle.push(...relayIdle.open);
    const relayMem = relayIdle.per;
    if (relayIdle.failed.size) notes.push(`relay idle connections that failed to open: ${JSON.stringify(Object.fromEntries(relayIdle.failed))}`);
    progress(`relay: closing ${idle.length} idle connections`);
    await Promise.all(idle.splice(0).map((c) => c.close()));
    b.child.kill();

    const c = await fresh();
    const { port: splicePort } = await c.child.ask<{ port: number }>(`splice 127.0.3.4 ${sinkPort}`);
    progress(`relay: opening ${IDLE} idle connections through the splice proxy`);
    const spliceIdle = await idleMemory(
      c.child,
      'splice',
      (i) =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect({ host: '127.0.3.1', port: splicePort, localAddress: sourceAddress(i) });
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
      (r) => r.spliceConns,
      () => new Promise((r) => setTimeout(r, 500)), // let the proxy finish its outbound connects
    );
    spliced.push(...spliceIdle.open);
    const spliceMem = spliceIdle.per;

    notes.push(
      'The forwarders run in a child process (one core; a fresh one for each measurement), bundled by esbuild as `parley relay` runs from bin/parley.js; the clients, the sink and the echo run in the bench process.',
      `Forwarding: each forwarder first runs one untimed round of ${MESSAGES} messages (so V8 has compiled its hot code, as in a relay that has been up for a while), then ${ROUNDS} timed rounds; the rows show the round with the median CPU time, and the cold rows the untimed first round.`,
      "The load comes from one bench process (Alice and Bob share a thread and do as much crypto per message as the relay), so the forwarder's core is not always saturated: the CPU rows divide the messages by the CPU time the forwarding process itself spent on them, which is what one saturated core would forward and is steady on a shared machine.",
      "Relay forwarding = send frame → Noise decrypt → binary frame decode (relay protocol v2: no JSON, zod or base64 for the frames that carry bytes) → mailbox store → live push → Noise encrypt, plus one cumulative accepted per event-loop turn (not a reply per send) and Bob's acks (a node's real traffic, JSON control frames); 64 sends in flight. Every frame a connection sends in one turn leaves in one Noise message and one socket write (transport/batch.ts). Splice = bytes piped untouched (TCP coalesces the 200 B writes): the upper bound of any user-space forwarder.",
      `Memory: RSS of the forwarding process after a GC, read at ${relayMem.at[0]} and at ${relayMem.at[1]} open relay connections (splice: ${spliceMem.at[0]} and ${spliceMem.at[1]}), the growth divided by the connections opened between (one-off costs, such as V8's young generation growing under the handshakes, come before the first reading, on both sides). Idle clients come from ${Math.ceil(IDLE / 200)} source addresses (127.0.10.x up), ${BATCH} handshakes at a time. The same count on both sides: a splice connection holds two sockets (in and out), and a process may hold 20,000 files here, so at most 9,000.`,
    );
    return {
      title: 'Relay: forwarding rate on one core, memory per idle connection',
      rows: [
        { measure: 'plain TCP splice proxy, 200 B writes (baseline)', value: spliceFwd.rate, unit: 'msgs/s' },
        { measure: 'relay mailbox forwarding, 200 B, live to owner', value: relayFwd.rate, unit: 'msgs/s' },
        { measure: 'relay forwarding / splice', value: relayFwd.rate / spliceFwd.rate, unit: 'ratio' },
        { measure: 'splice proxy: its core busy while forwarding (baseline)', value: (100 * spliceFwd.cpuUs) / spliceFwd.wallUs, unit: '%' },
        { measure: 'relay: its core busy while forwarding', value: (100 * relayFwd.cpuUs) / relayFwd.wallUs, unit: '%' },
        { measure: 'splice proxy per CPU-second (baseline)', value: MESSAGES / (spliceFwd.cpuUs / 1e6), unit: 'msgs/CPU-s' },
        { measure: 'relay per CPU-second (what one saturated core would forward)', value: MESSAGES / (relayFwd.cpuUs / 1e6), unit: 'msgs/CPU-s' },
        { measure: 'relay / splice per CPU-second', value: spliceFwd.cpuUs / relayFwd.cpuUs, unit: 'ratio' },
        { measure: 'splice proxy per CPU-second, first round, cold (baseline)', value: MESSAGES / (spliceRounds.cold.cpuUs / 1e6), unit: 'msgs/CPU-s' },
        { measure: 'relay per CPU-second, first round, cold', value: MESSAGES / (relayRounds.cold.cpuUs / 1e6), unit: 'msgs/CPU-s' },
        { measure: `splice proxy memory per idle connection (${spliceMem.at[1]} open; baseline)`, value: spliceMem.rss, unit: 'KiB' },
        { measure: `relay memory per idle Noise connection (${relayMem.at[1]} open)`, value: relayMem.rss, unit: 'KiB' },
        { measure: 'relay / splice memory per idle connection', value: relayMem.rss / spliceMem.rss, unit: 'ratio' },
        { measure: 'of which V8 heap: splice proxy per idle connection (baseline)', value: spliceMem.heap, unit: 'KiB' },
        { measure: 'of which V8 heap: relay per idle connection', value: relayMem.heap, unit: 'KiB' },
        { measure: 'of which external (Buffers): relay per idle connection', value: relayMem.external, unit: 'KiB' },
      ],
      notes,
    };
  } finally {
    await Promise.all(idle.map((c) => c.close()));
    for (const s of spliced) s.destroy();
    sink.close();
    for (const c of children) c.kill();
  }
}
