/**
 * Section `daemon`: `parley run` cold start and idle memory beside a bare Node process; a node's
 * memory after 100,000 stored messages; history search over them, FTS5 vs a LIKE scan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { startTestnet, type Testnet } from '../src/testnet/index.js';
import { openDb, searchMessages } from '../src/store/index.js';
import { progress, type BenchContext, type SectionBody, type Row } from './section.js';
import { summarize, ms } from './stats.js';
import { runArgs } from './run-args.js';
import { COMMON, MEDIUM, RARE } from './corpus.js';

const STARTS = 7;
const MESSAGES = Number(process.env.BENCH_STORED ?? 100_000);
const QUERIES = 20;

const MiB = 1024 * 1024;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Spawns a process and resolves with it and the time until a stdout line matches `ready`. */
function startUntil(cmd: string, args: string[], ready: RegExp, timeoutMs = 60_000): Promise<{ proc: ChildProcess; ms: number; lines: AsyncIterator<string> }> {
  const t0 = process.hrtime.bigint();
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ').slice(0, 60)}… not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready`));
    });
    void (async () => {
      for (let l = await lines.next(); !l.done; l = await lines.next()) {
        if (ready.test(l.value)) {
          clearTimeout(timer);
          proc.removeAllListeners('exit');
          return resolve({ proc, ms: ms(t0), lines });
        }
      }
    })();
  });
}

async function stop(proc: ChildProcess, how: 'SIGINT' | 'stdin'): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  if (how === 'SIGINT') proc.kill('SIGINT');
  else proc.stdin!.write('stop\n');
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

interface Starts {
  ms: number[];
  rss: number;
}

async function coldStarts(net: Testnet, root: string): Promise<{ bare: Starts; help: Starts; id: Starts; ui: Starts; headless: Starts }> {
  const starts = (): Starts => ({ ms: [], rss: 0 });
  const out = { bare: starts(), help: starts(), id: starts(), ui: starts(), headless: starts() };
  const home = join(root, 'daemon');
  saveIdentity(home, Identity.generate());
  const run = runArgs(net, home, '127.0.0.91');
  const once = async (into: Starts, args: string[], ready: RegExp, how: 'SIGINT' | 'kill' | 'none') => {
    const p = await startUntil(process.execPath, args, ready);
    into.ms.push(p.ms);
    if (how === 'none') return p.ms;
    await sleep(2000);
    into.rss = rssOf(p.proc.pid!);
    if (how === 'kill') p.proc.kill('SIGKILL');
    else await stop(p.proc, 'SIGINT');
    return p.ms;
  };
  for (let i = 0; i < STARTS; i++) {
    const b = await once(out.bare, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], /^up$/, 'kill');
    const m = await once(out.help, ['bin/parley.js', '--help'], /^Usage:/, 'none');
    await once(out.id, ['bin/parley.js', 'id', '--home', home], /^[a-z0-9]{52}$/, 'none');
    const u = await once(out.ui, run, /Parley is running for/, 'SIGINT');
    const h = await once(out.headless, [...run, '--no-ui'], /Parley is running for/, 'SIGINT');
    progress(
      `  start ${i + 1}/${STARTS}: bare Node ${b.toFixed(0)} ms, parley --help ${m.toFixed(0)} ms, parley run ${u.toFixed(0)} ms, parley run --no-ui ${h.toFixed(0)} ms`,
    );
  }
  return out;
}

async function stored(net: Testnet, root: string): Promise<{ before: number; after: number; fillMs: number; dbPath: string }> {
  const home = join(root, 'stored');
  saveIdentity(home, Identity.generate());
  const r = net.relays[0]!;
  const { proc, lines } = await startUntil(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/daemon-child.ts', home, net.bootstrap[0]!, JSON.stringify(r)],
    /online/,
  );
  const ask = async <T>(cmd: string): Promise<T> => {
    proc.stdin!.write(cmd + '\n');
    const l = await lines.next();
    if (l.done) throw new Error('the node process ended');
    return JSON.parse(l.value) as T;
  };
  try {
    await sleep(1000);
    const before = (await ask<{ rss: number }>('rss')).rss;
    let fillMs = 0;
    for (let done = 0; done < MESSAGES; done += 25_000) {
      fillMs += (await ask<{ ms: number }>(`fill ${Math.min(25_000, MESSAGES - done)}`)).ms;
      progress(`  stored ${Math.min(MESSAGES, done + 25_000)} messages`);
    }
    await sleep(1000);
    const after = (await ask<{ rss: number }>('rss')).rss;
    return { before, after, fillMs, dbPath: join(home, 'parley.db') };
  } finally {
    await stop(proc, 'stdin');
  }
}

function searchRows(dbPath: string): Row[] {
  const db = openDb(dbPath);
  const like = db.prepare('SELECT * FROM messages WHERE body LIKE ? ORDER BY seq DESC LIMIT 50');
  const rows: Row[] = [];
  try {
    for (const [label, text] of [
      [`rare word (“${RARE}”, 1 in 10,000)`, RARE],
      [`medium word (“${MEDIUM}”, 1 in 100)`, MEDIUM],
      [`common word (“${COMMON}”, most messages)`, COMMON],
      [`two words (“${MEDIUM} ${COMMON}”)`, `${MEDIUM} ${COMMON}`],
      ['absent word (“quokka”, in no message)', 'quokka'],
    ] as const) {
      const fts: number[] = [];
      const scan: number[] = [];
      let hits = 0;
      let likeHits = 0;
      const words = text.split(' ');
      for (let i = 0; i < QUERIES; i++) {
        let t = process.hrtime.bigint();
        hits = searchMessages(db, text, { limit: 50 }).length;
        fts.push(ms(t));
        t = process.hrtime.bigint();
        // The baseline: every word as a substring, newest first, same limit.
        likeHits = (
          words.length === 1
            ? like.all(`%${text}%`)
            : db
                .prepare(`SELECT * FROM messages WHERE ${words.map(() => 'body LIKE ?').join(' AND ')} ORDER BY seq DESC LIMIT 50`)
                .all(...words.map((w) => `%${w}%`))
        ).length;
        scan.push(ms(t));
      }
      const f = summarize(fts);
      const s = summarize(scan);
      rows.push({
        query: label,
        results: `${hits} / ${likeHits}`,
        fts5_median_ms: f.median,
        fts5_p99_ms: f.p99,
        like_median_ms: s.median,
        like_p99_ms: s.p99,
        like_over_fts5: s.median / f.median,
      });
    }
  } finally {
    db.close();
  }
  return rows;
}

export async function daemonSection(_ctx: BenchContext): Promise<SectionBody> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-daemon-'));
  const net = await startTestnet({ dhtNodes: 8, relays: 1 });
  try {
    progress(`daemon: ${STARTS} cold starts of \`parley run\` beside a bare Node process`);
    const c = await coldStarts(net, root);
    progress(`daemon: a node storing ${MESSAGES} messages`);
    const s = await stored(net, root);
    progress(`daemon: search over ${MESSAGES} messages, FTS5 vs LIKE scan`);
    const search = searchRows(s.dbPath);
    const bare = summarize(c.bare.ms);
    const help = summarize(c.help.ms);
    const id = summarize(c.id.ms);
    const ui = summarize(c.ui.ms);
    const headless = summarize(c.headless.ms);
    return {
      title: 'Daemon: cold start, memory, history search',
      rows: [
        { measure: 'cold start: bare Node process, spawn → first line (baseline)', n: bare.n, median: bare.median, p99: bare.p99, unit: 'ms' },
        {
          measure: 'cold start: `parley --help`, spawn → first line (the cached CLI bundle, no network; second baseline)',
          n: help.n,
          median: help.median,
          p99: help.p99,
          unit: 'ms',
        },
        { measure: 'cold start: `parley id`, spawn → the ID (identity and store only)', n: id.n, median: id.median, p99: id.p99, unit: 'ms' },
        { measure: 'cold start: `parley run` (node + web UI/API), spawn → "Parley is running for …"', n: ui.n, median: ui.median, p99: ui.p99, unit: 'ms' },
        { measure: 'cold start: `parley run --no-ui` (node only)', n: headless.n, median: headless.median, p99: headless.p99, unit: 'ms' },
        { measure: 'cold start ratio `parley run` / bare Node', n: ui.n, median: ui.median / bare.median, unit: 'ratio' },
        { measure: 'idle RSS: bare Node process (baseline)', n: 1, median: c.bare.rss / MiB, unit: 'MiB' },
        { measure: 'idle RSS: `parley run`, 2 s after start', n: 1, median: c.ui.rss / MiB, unit: 'MiB' },
        { measure: 'idle RSS: `parley run --no-ui`, 2 s after start', n: 1, median: c.headless.rss / MiB, unit: 'MiB' },
        { measure: 'RSS of a running node before storing messages (after GC)', n: 1, median: s.before / MiB, unit: 'MiB' },
        { measure: `RSS of the same node after storing ${MESSAGES.toLocaleString('en-US')} messages (after GC)`, n: 1, median: s.after / MiB, unit: 'MiB' },
        {
          measure: `store ${MESSAGES.toLocaleString('en-US')} messages (insertMessage + FTS5 trigger, 1,000 per transaction)`,
          n: 1,
          median: s.fillMs / 1000,
          unit: 's',
        },
      ],
      notes: [
        '`parley run` is the real command (bin/parley.js, which loads the TypeScript through tsx; tsx keeps a transpile cache, so only the first start of a fresh machine is slower), on an 8-node local DHT with one relay: ready = DHT joined, relay connected, intro record published (and, by default, the web UI/API listening). The bare Node baseline is `node -e` printing a line: the floor of any Node daemon.',
        "RSS read from /proc/<pid>/status. The stored-messages node is a ParleyNode in a child process (bench/daemon-child.ts) storing bodies through the store's insertMessage, the same statement the receiver uses, in transactions of 1,000 (FTS5 triggers included).",
        `Search over the same ${MESSAGES.toLocaleString('en-US')} messages (bench/corpus.ts: Zipf-distributed words), newest 50 hits, ${QUERIES} runs each, database warm: FTS5 = the store's searchMessages (prefix terms, snippet); baseline = \`SELECT … WHERE body LIKE '%word%' ORDER BY seq DESC LIMIT 50\` on the same table in the same run. results = FTS5 hits / LIKE hits (LIKE matches substrings inside other words too, so it can find more).`,
      ],
      tables: [{ title: `History search over ${MESSAGES.toLocaleString('en-US')} messages`, rows: search }],
    };
  } finally {
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
