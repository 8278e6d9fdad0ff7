/**
 * Section `cli`: how fast the CLI starts and how much memory `parley run` holds, each beside a bare
 * Node process measured in the same run, interleaved start by start (the machine is shared):
 *  - spawn → first line of `node -e`, the floor (bench/cli-floor.mjs: the packages `parley run`
 *    needs before it is ready, loaded and listening, no Parley code; as it is, and bundled as the
 *    launcher bundles the CLI), `parley --help`, `parley id`, and `parley run` (ready);
 *  - RSS 2 s after start, split by mapping (/proc/PID/smaps: the node binary, native addons,
 *    anonymous memory), and `parley run`'s own process.memoryUsage() (heap, external, array
 *    buffers) and the packages it has loaded, read through a preloaded (`-r`) hook on SIGUSR2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { startTestnet } from '../src/testnet/index.js';
import { progress, type BenchContext, type SectionBody } from './section.js';
import { summarize, ms } from './stats.js';
import { launcherFlags, parleyArgv, runArgs } from './run-args.js';
import { smapsOf, type Smaps } from './smaps.js';
import { bundleFloor } from './floor-bundle.js';

const STARTS = Number(process.env.BENCH_CLI_STARTS ?? 7);
const MiB = 1024 * 1024;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/**
 * Preloaded into every measured process (`-r`, CommonJS: an `--import` hook would start Node's ES
 * module loader in each, ~30 ms that a CommonJS program such as `parley run` never pays, which would
 * flatter every ratio): on SIGUSR2 it prints its memoryUsage and loaded packages on stderr.
 */
const HOOK_SOURCE = `
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const pkgs = [...new Set(Object.keys(require.cache).map((p) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean))].sort();
  process.stderr.write('PARLEY_BENCH_MEM ' + JSON.stringify({ mem: process.memoryUsage(), pkgs }) + '\\n');
});`;

/** Node's argv for a process whose memory is read: the hook (written to `hook`), and a GC it can force before reading. */
const measuredWith = (hook: string) => (args: string[]) => ['--expose-gc', '-r', hook, ...args];

interface Started {
  proc: ChildProcess;
  ms: number;
  stderr: string[];
  /** Spawn → the first stdout line matching `later` (after the ready line), once it came. */
  later: Promise<number>;
}

function startUntil(args: string[], ready: RegExp, timeoutMs = 60_000, later?: RegExp): Promise<Started> {
  const t0 = process.hrtime.bigint();
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => stderr.push(l));
  const lines = createInterface({ input: proc.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ').slice(0, 60)}… not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${args.slice(0, 2).join(' ')} exited (${code}) before it was ready: ${stderr.slice(-3).join(' / ')}`));
    };
    proc.once('exit', onExit);
    let cameLater: (ms: number) => void = () => {};
    const laterMs = new Promise<number>((r) => (cameLater = r));
    lines.on('line', (l) => {
      if (!ready.test(l)) return;
      clearTimeout(timer);
      proc.off('exit', onExit);
      lines.removeAllListeners('line');
      if (later) lines.on('line', (l2) => later.test(l2) && cameLater(ms(t0)));
      resolve({ proc, ms: ms(t0), stderr, later: laterMs });
    });
  });
}

async function stop(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

type Mem = { mem: NodeJS.MemoryUsage; pkgs: string[] };

async function memoryOf(p: Started): Promise<Mem> {
  p.proc.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const line = p.stderr.find((l) => l.startsWith('PARLEY_BENCH_MEM '));
    if (line) return JSON.parse(line.slice('PARLEY_BENCH_MEM '.length)) as Mem;
    await sleep(50);
  }
  throw new Error('the process did not report its memory');
}

/** Median and p99 of a start time, as a row. */
const startRow = (measure: string, samples: number[]) => {
  const s = summarize(samples);
  return { measure, n: s.n, median: s.median, p99: s.p99, unit: 'ms' };
};
const ratioRow = (measure: string, figure: number[], baseline: number[]) => ({
  measure,
  n: figure.length,
  median: summarize(figure).median / summarize(baseline).median,
  unit: 'ratio',
});
const mib = (n: number) => n / MiB;
const SMAPS: Array<[keyof Smaps, string]> = [
  ['binary', "in the node binary's pages"],
  ['addons', 'in native addons (*.node)'],
  ['anon', 'anonymous ([heap] and unnamed)'],
];

/** The processes whose idle memory is read, as the rows name them. */
const IDLE = {
  bare: 'bare Node',
  floor: 'floor',
  bundled: 'floor bundled',
  run: '`parley run`',
} as const;
type Idle = keyof typeof IDLE;
const FLOORS = {
  floor: 'floor, the packages `parley run` needs, loaded and listening (no Parley code)',
  bundled: 'floor bundled, the same file in one ES bundle (no code cache)',
} as const;
const perIdle = <T>(make: () => T) => Object.fromEntries(Object.keys(IDLE).map((k) => [k, make()])) as Record<Idle, T>;

export async function cliSection(_ctx: BenchContext): Promise<SectionBody> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-cli-'));
  const hook = join(root, 'memory-hook.cjs');
  writeFileSync(hook, HOOK_SOURCE);
  const measured = measuredWith(hook);
  const net = await startTestnet({ dhtNodes: 8, relays: 1 });
  try {
    const home = join(root, 'home');
    saveIdentity(home, Identity.generate());
    const run = runArgs(net, home, '127.0.0.93');
    const floorDir = join(root, 'floor');
    mkdirSync(floorDir);
    const floorArgs = {
      floor: measured([...launcherFlags(), 'bench/cli-floor.mjs', floorDir]),
      bundled: measured([...launcherFlags(), await bundleFloor(join(root, 'floor-bundle.mjs')), floorDir]),
    };
    const t = { ...perIdle((): number[] => []), help: [] as number[], id: [] as number[], online: [] as number[] };
    const rss = perIdle((): number[] => []);
    const maps = perIdle((): Smaps[] => []);
    let last: Record<Idle, Mem> | null = null;
    // One warm-up round: the CLI bundle is (re)built on the first start after a source change.
    for (let i = -1; i < STARTS; i++) {
      const bare = await startUntil(measured(['-e', 'console.log("up"); setInterval(() => {}, 1000)']), /^up$/);
      const floor = await startUntil(floorArgs.floor, /^listening$/);
      const bundled = await startUntil(floorArgs.bundled, /^listening$/);
      const help = await startUntil(parleyArgv('--help'), /^Usage:/);
      const id = await startUntil(parleyArgv('id', '--home', home), /^[a-z0-9]{52}$/);
      // Ready as a person sees it: the ready line, printed once the store is open and the API answers.
      const daemon = await startUntil(measured(run), /Parley is running for/, 60_000, /^Online:/);
      const online = await Promise.race([daemon.later, sleep(30_000).then(() => NaN)]);
      await sleep(2000);
      const procs: Record<Idle, Started> = { bare, floor, bundled, run: daemon };
      const mem = perIdle((): Mem | null => null);
      for (const k of Object.keys(IDLE) as Idle[]) mem[k] = await memoryOf(procs[k]);
      if (i >= 0) {
        for (const k of Object.keys(IDLE) as Idle[]) {
          t[k].push(procs[k].ms);
          rss[k].push(rssOf(procs[k].proc.pid!));
          maps[k].push(smapsOf(procs[k].proc.pid!));
        }
        t.help.push(help.ms);
        t.id.push(id.ms);
        t.online.push(online);
        last = mem as Record<Idle, Mem>;
      }
      await Promise.all([...[bare, floor, bundled, help, id].map((p) => stop(p.proc, 'SIGKILL')), stop(daemon.proc, 'SIGINT')]);
      progress(
        `  cli start ${i + 1}/${STARTS}: bare ${bare.ms.toFixed(0)} ms, floor ${floor.ms.toFixed(0)} (bundled ${bundled.ms.toFixed(0)}), --help ${help.ms.toFixed(0)}, id ${id.ms.toFixed(0)}, run ${daemon.ms.toFixed(0)} ms (online ${online.toFixed(0)})`,
      );
    }
    const m = last!;
    const loaded = (k: Idle) => m[k].pkgs.filter((p) => !m.bare.pkgs.includes(p)).join(', ') || 'none';
    const idleMiB = (k: Idle) => mib(summarize(rss[k]).median);
    const mapMiB = (k: Idle, kind: keyof Smaps) => mib(summarize(maps[k].map((x) => x[kind])).median);
    const floors = Object.entries(FLOORS) as Array<[keyof typeof FLOORS, string]>;
    return {
      title: 'CLI: cold start and idle memory beside a bare Node process',
      rows: [
        startRow('cli cold start: bare `node -e` (baseline)', t.bare),
        ...floors.map(([k, name]) => startRow(`cli cold start: ${name}`, t[k])),
        startRow('cli cold start: `parley --help`', t.help),
        startRow('cli cold start: `parley id`', t.id),
        startRow('cli cold start: `parley run` ready', t.run),
        startRow('cli `parley run` online (network up, in the background)', t.online),
        ...floors.map(([k]) => ratioRow(`cli ${IDLE[k]} / bare Node`, t[k], t.bare)),
        ratioRow('cli `parley id` / bare Node', t.id, t.bare),
        ratioRow('cli `parley run` ready / bare Node', t.run, t.bare),
        ...floors.map(([k]) => ratioRow(`cli \`parley run\` ready / ${IDLE[k]}`, t.run, t[k])),
        { measure: 'cli idle RSS: bare Node (baseline)', n: rss.bare.length, median: idleMiB('bare'), unit: 'MiB' },
        ...floors.map(([k, name]) => ({ measure: `cli idle RSS: ${name}`, n: rss[k].length, median: idleMiB(k), unit: 'MiB' })),
        { measure: 'cli idle RSS: `parley run`, 2 s after ready', n: rss.run.length, median: idleMiB('run'), unit: 'MiB' },
        ...floors.map(([k]) => ratioRow(`cli idle RSS ${IDLE[k]} / bare Node`, rss[k], rss.bare)),
        ratioRow('cli idle RSS `parley run` / bare Node', rss.run, rss.bare),
        ...floors.map(([k]) => ratioRow(`cli idle RSS \`parley run\` / ${IDLE[k]}`, rss.run, rss[k])),
        ...SMAPS.flatMap(([kind, where]) =>
          (['floor', 'bundled', 'run'] as const).map((k) => ({
            measure: `${IDLE[k]} RSS ${where} / bare Node`,
            n: maps[k].length,
            median: mapMiB(k, kind),
            baseline: mapMiB('bare', kind),
            unit: 'MiB',
          })),
        ),
        { measure: '`parley run` V8 heap used (after GC) / bare Node', n: 1, median: mib(m.run.mem.heapUsed), baseline: mib(m.bare.mem.heapUsed), unit: 'MiB' },
        { measure: '`parley run` V8 heap total / bare Node', n: 1, median: mib(m.run.mem.heapTotal), baseline: mib(m.bare.mem.heapTotal), unit: 'MiB' },
        {
          measure: '`parley run` external (Buffers, native) / bare Node',
          n: 1,
          median: mib(m.run.mem.external),
          baseline: mib(m.bare.mem.external),
          unit: 'MiB',
        },
        {
          measure: '`parley run` RSS not in the V8 heap or external / bare Node',
          n: 1,
          median: mib(m.run.mem.rss - m.run.mem.heapTotal - m.run.mem.external),
          baseline: mib(m.bare.mem.rss - m.bare.mem.heapTotal - m.bare.mem.external),
          unit: 'MiB',
        },
      ],
      notes: [
        `Every start is spawn → the first matching stdout line; the seven kinds are interleaved start by start, ${STARTS} rounds after a warm-up round (which builds the CLI bundle if a source changed). \`parley run\` joins an 8-node local DHT with one relay (ready = its ready line, printed once the store is open and the web UI/API listens; online = its \`Online:\` line, once the DHT is joined, the relays reached and the intro record published, in the background).`,
        `The floor (bench/cli-floor.mjs) is what \`parley run\` cannot start below without dropping a package: libsignal, SQLite (a file opened in WAL mode), sodium, fastify with @fastify/websocket listening on 127.0.0.1, zod, pino and commander, used once each, with no Parley code; same Node flags as \`parley run\` (${launcherFlags().join(' ') || 'none'}, and the hook). \`floor\` loads them from node_modules file by file; \`floor bundled\` is the same file in one ES bundle built with the launcher's own options (bin/bundling.cjs: the packages inside, libsignal, sodium and SQLite loading their addons by path, zod in English only), as bin/parley.js bundles the other commands; \`parley run\` has its own CommonJS bundle read with V8's code cache, which the floors do not get, so it can start below them. \`parley run\` / floor bundled is the part of the distance Parley's own code accounts for.`,
        "Memory: RSS from /proc 2 s after ready (median of the rounds), split by mapping from /proc/PID/smaps (the node binary's pages, native addons, anonymous memory; the rest is shared libraries and stacks); heap and external from the process's own process.memoryUsage() after a GC, through a preloaded (-r) hook (last round). The rest of RSS is code (V8's compiled code and Node's binary), native libraries (libsignal, SQLite, sodium) and their allocations.",
        `Packages \`parley run\` has loaded through require (CommonJS) that a bare Node has not: ${loaded('run')}. The floor's: ${loaded('floor')}. The bundled floor's: ${loaded('bundled')}.`,
      ],
    };
  } finally {
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
