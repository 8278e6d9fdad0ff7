/**
 * Section `tox`: Tox (libtoxcore from Debian) side by side with Parley direct. bench/tox/setup.sh
 * installs libtoxcore and builds bench/tox/tox-rtt (C), which runs Tox DHT helper nodes plus Alice and
 * Bob on loopback UDP, makes them friends and times friend-message round trips echoed by Bob.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { progress, type BenchContext, type SectionBody } from './section.js';
import { summarize } from './stats.js';
import { parleyDirect, tcpEcho, type Timed } from './rtt.js';

const run = promisify(execFile);
const DIR = 'bench/tox';
const BINARY = `${DIR}/tox-rtt`;
const HELPERS = 1;
/** Tox as a client runs it (sleeping tox_iteration_interval(), ~50 ms) is slow; fewer samples suffice. */
const INTERVAL_SAMPLES = 100;

interface ToxRun {
  version: string;
  helpers: number;
  poll_us: number;
  setup_ms: number;
  friend_ms: number;
  cpu_ms: number;
  samples_ms: number[];
}

async function toxRun(count: number, size: number, pollUs: number): Promise<ToxRun> {
  const { stdout } = await run(BINARY, [String(count), String(size), String(pollUs), String(HELPERS)], { timeout: 300_000, maxBuffer: 16 << 20 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as ToxRun | { error: string };
  if ('error' in out) throw new Error(`tox-rtt: ${out.error}`);
  return out;
}

/** Builds the harness if needed; returns why Tox cannot run here, or null. */
async function ensureHarness(): Promise<string | null> {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(`${DIR}/tox-rtt.c`).mtimeMs) return null;
  progress('tox: running bench/tox/setup.sh (apt-get install libtoxcore-dev, gcc)');
  try {
    await run('sh', [`${DIR}/setup.sh`], { timeout: 600_000 });
    return existsSync(BINARY) ? null : 'bench/tox/setup.sh ran but built no bench/tox/tox-rtt';
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `bench/tox/setup.sh failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' / ')}`;
  }
}

export async function toxSection(ctx: BenchContext): Promise<SectionBody> {
  const title = `Tox side by side, ${ctx.size} B friend message round trip`;
  const why = await ensureHarness();
  if (why) {
    progress(`tox: SKIPPED — ${why}`);
    return { title, rows: [], notes: [], error: why };
  }
  const tcp = await tcpEcho(ctx);
  progress(`tox: ${ctx.count} round trips, loop polling every 100 µs`);
  const fast = await toxRun(ctx.count, ctx.size, 100);
  progress(`tox: ${INTERVAL_SAMPLES} round trips, loop sleeping tox_iteration_interval() as Tox clients do`);
  const client = await toxRun(INTERVAL_SAMPLES, ctx.size, 0);
  const direct = await parleyDirect(ctx);
  const row = (measure: string, s: Timed, setup = '') => ({
    measure,
    n: s.n,
    median_ms: s.median,
    p99_ms: s.p99,
    median_vs_tcp: s.median / tcp.median,
    median_vs_parley: s.median / direct.median,
    cpu_ms_per_rt: s.cpuMs,
    friend_setup_s: setup,
  });
  const toxTimed = (r: ToxRun): Timed => ({ ...summarize(r.samples_ms), cpuMs: r.cpu_ms / r.samples_ms.length });
  const secs = (r: ToxRun) => (r.friend_ms / 1000).toFixed(1);
  return {
    title,
    rows: [
      row('raw TCP echo on loopback (baseline)', tcp),
      row('Parley direct (send → E2E receipt)', direct),
      row(`Tox ${fast.version}, loop polls every 100 µs (echo by Bob)`, toxTimed(fast), secs(fast)),
      row(`Tox ${client.version}, loop sleeps tox_iteration_interval() (echo by Bob)`, toxTimed(client), secs(client)),
    ],
    notes: [
      `Tox: ${HELPERS} Tox DHT node (a third instance, everyone's bootstrap) + Alice + Bob in one C process and one thread (as Parley's Alice and Bob share one Node process); UDP only, IPv6, LAN discovery, hole punching and TCP relays off; every bootstrap names 127.0.0.1 (Tox cannot bind one address, it listens on 0.0.0.0 but talks only to loopback peers).`,
      'Friend setup = friend request from Alice until both sides report a direct UDP friend connection (onion lookup + DHT).',
      'Tox round trip = Alice sends a friend message, Bob echoes it from his message callback, Alice receives it; Tox messages are encrypted per hop by net_crypto but not stored, and no receipt is written to disk. Parley stores each message (SQLite, synchronous = FULL) on both sides and ratchets Signal sessions.',
      'Tox is polled, not event driven: a round trip costs at least one loop period. The 100 µs loop is its best case (it burns CPU); the tox_iteration_interval() loop is what a Tox client does.',
      'cpu_ms_per_rt: CPU time of the process holding both ends (Parley: the bench process; Tox: tox-rtt, getrusage) per round trip; for Tox it includes the polling.',
    ],
  };
}
