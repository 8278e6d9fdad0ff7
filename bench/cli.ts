/**
 * Section `cli`: how fast the CLI starts and how much memory `parley run` holds, each beside a bare
 * Node process measured in the same run, interleaved start by start (the machine is shared):
 *  - spawn → first line of `node -e`, `parley --help`, `parley id`, and `parley run` (ready);
 *  - RSS 2 s after start, and `parley run`'s own process.memoryUsage() (heap, external, array
 *    buffers) and the packages it has loaded, read through a `--import` hook on SIGUSR2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { startTestnet } from '../src/testnet/index.js';
import { progress, type BenchContext, type SectionBody } from './section.js';
import { summarize, ms } from './stats.js';
import { parleyArgv, runArgs } from './run-args.js';

const STARTS = Number(process.env.BENCH_CLI_STARTS ?? 7);
const MiB = 1024 * 1024;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Loaded into the measured process: on SIGUSR2 it prints its memoryUsage and loaded packages on stderr. */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { createRequire } from 'node:module';
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const cache = Object.keys(createRequire(process.cwd() + '/').cache);
  const pkgs = [...new Set(cache.map((p) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean))].sort();
  process.stderr.write('PARLEY_BENCH_MEM ' + JSON.stringify({ mem: process.memoryUsage(), pkgs }) + '\\n');
});`)}`;

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

export async function cliSection(_ctx: BenchContext): Promise<SectionBody> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-cli-'));
  const net = await startTestnet({ dhtNodes: 8, relays: 1 });
  try {
    const home = join(root, 'home');
    saveIdentity(home, Identity.generate());
    const run = runArgs(net, home, '127.0.0.93');
    const t = { bare: [] as number[], help: [] as number[], id: [] as number[], run: [] as number[], online: [] as number[] };
    const rss = { bare: [] as number[], run: [] as number[] };
    let last: { bare: Mem; run: Mem } | null = null;
    // One warm-up round: the CLI bundle is (re)built on the first start after a source change.
    for (let i = -1; i < STARTS; i++) {
      const bare = await startUntil(['--expose-gc', '--import', HOOK, '-e', 'console.log("up"); setInterval(() => {}, 1000)'], /^up$/);
      const help = await startUntil(parleyArgv('--help'), /^Usage:/);
      const id = await startUntil(parleyArgv('id', '--home', home), /^[a-z0-9]{52}$/);
      // Ready as a person sees it: the ready line, printed once the store is open and the API answers.
      const daemon = await startUntil(['--expose-gc', '--import', HOOK, ...run], /Parley is running for/, 60_000, /^Online:/);
      const online = await Promise.race([daemon.later, sleep(30_000).then(() => NaN)]);
      await sleep(2000);
      const mem = { bare: await memoryOf(bare), run: await memoryOf(daemon) };
      if (i >= 0) {
        t.bare.push(bare.ms);
        t.help.push(help.ms);
        t.id.push(id.ms);
        t.run.push(daemon.ms);
        t.online.push(online);
        rss.bare.push(rssOf(bare.proc.pid!));
        rss.run.push(rssOf(daemon.proc.pid!));
        last = mem;
      }
      await Promise.all([stop(bare.proc, 'SIGKILL'), stop(help.proc, 'SIGKILL'), stop(id.proc, 'SIGKILL'), stop(daemon.proc, 'SIGINT')]);
      progress(
        `  cli start ${i + 1}/${STARTS}: bare ${bare.ms.toFixed(0)} ms, --help ${help.ms.toFixed(0)}, id ${id.ms.toFixed(0)}, run ${daemon.ms.toFixed(0)} ms (online ${online.toFixed(0)})`,
      );
    }
    const s = { bare: summarize(t.bare), help: summarize(t.help), id: summarize(t.id), run: summarize(t.run), online: summarize(t.online) };
    const rssBare = summarize(rss.bare).median;
    const rssRun = summarize(rss.run).median;
    const m = last!;
    const pkgs = m.run.pkgs.filter((p) => !m.bare.pkgs.includes(p));
    const mib = (n: number) => n / MiB;
    return {
      title: 'CLI: cold start and idle memory beside a bare Node process',
      rows: [
        { measure: 'cli cold start: bare `node -e` (baseline)', n: s.bare.n, median: s.bare.median, p99: s.bare.p99, unit: 'ms' },
        { measure: 'cli cold start: `parley --help`', n: s.help.n, median: s.help.median, p99: s.help.p99, unit: 'ms' },
        { measure: 'cli cold start: `parley id`', n: s.id.n, median: s.id.median, p99: s.id.p99, unit: 'ms' },
        { measure: 'cli cold start: `parley run` ready', n: s.run.n, median: s.run.median, p99: s.run.p99, unit: 'ms' },
        { measure: 'cli `parley run` online (network up, in the background)', n: s.online.n, median: s.online.median, p99: s.online.p99, unit: 'ms' },
        { measure: 'cli `parley id` / bare Node', n: s.id.n, median: s.id.median / s.bare.median, unit: 'ratio' },
        { measure: 'cli `parley run` ready / bare Node', n: s.run.n, median: s.run.median / s.bare.median, unit: 'ratio' },
        { measure: 'cli idle RSS: bare Node (baseline)', n: rss.bare.length, median: mib(rssBare), unit: 'MiB' },
        { measure: 'cli idle RSS: `parley run`, 2 s after ready', n: rss.run.length, median: mib(rssRun), unit: 'MiB' },
        { measure: 'cli idle RSS `parley run` / bare Node', n: rss.run.length, median: rssRun / rssBare, unit: 'ratio' },
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
        `Every start is spawn → the first matching stdout line; the five kinds are interleaved start by start, ${STARTS} rounds after a warm-up round (which builds the CLI bundle if a source changed). \`parley run\` joins an 8-node local DHT with one relay (ready = its ready line, printed once the store is open and the web UI/API listens; online = its \`Online:\` line, once the DHT is joined, the relays reached and the intro record published, in the background).`,
        "Memory: RSS from /proc 2 s after ready (median of the rounds); heap and external from the process's own process.memoryUsage() after a GC, through a --import hook (last round). The rest of RSS is code (V8's compiled code and Node's binary), native libraries (libsignal, SQLite, sodium) and their allocations.",
        `Packages \`parley run\` has loaded through require (CommonJS) that a bare Node has not: ${pkgs.join(', ') || 'none'}.`,
      ],
    };
  } finally {
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
