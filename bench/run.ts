/**
 * `npm run bench [-- section...]`: every Parley figure beside a baseline measured in the same run.
 * Sections: rtt, tox, dht, rendezvous, dht-exit, relay, relay-attack, daemon, cli, history, ui, signup, atrest, importers, nat, files, images (default: all, in that order). Progress goes to stderr;
 * results are merged into bench/results/latest.json (a partial run keeps the other sections of the
 * last run, each dated) and written as Markdown to bench/results/latest.md. See bench/README.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { progress, withTimeout, type BenchContext, type SectionBody, type SectionResult } from './section.js';
import { rttSection } from './rtt.js';
import { toxSection } from './tox.js';
import { dhtSection } from './dht.js';
import { rendezvousSection } from './rendezvous.js';
import { dhtExitSection } from './dht-exit.js';
import { relaySection } from './relay.js';
import { relayAttackSection } from './relay-attack.js';
import { daemonSection } from './daemon.js';
import { cliSection } from './cli.js';
import { historySection } from './history.js';
import { natSection } from './nat.js';
import { renderMarkdown, type Results } from './report.js';
import { scriptSection } from './script-section.js';
import { atRestSection } from './at-rest.js';
import { filesSection } from './files.js';
import { renderSummary } from './summary.js';

const SECTIONS: Record<string, { run: (ctx: BenchContext) => Promise<SectionBody>; timeoutMs: number }> = {
  rtt: { run: rttSection, timeoutMs: 6 * 60_000 },
  tox: { run: toxSection, timeoutMs: 5 * 60_000 },
  dht: { run: dhtSection, timeoutMs: 4 * 60_000 },
  rendezvous: { run: rendezvousSection, timeoutMs: 4 * 60_000 },
  'dht-exit': { run: dhtExitSection, timeoutMs: 4 * 60_000 },
  relay: { run: relaySection, timeoutMs: 5 * 60_000 },
  'relay-attack': { run: relayAttackSection, timeoutMs: 5 * 60_000 },
  daemon: { run: daemonSection, timeoutMs: 5 * 60_000 },
  cli: { run: cliSection, timeoutMs: 5 * 60_000 },
  history: { run: historySection, timeoutMs: 45 * 60_000 },
  ui: { run: scriptSection('bench/ui.ts'), timeoutMs: 4 * 60_000 },
  signup: { run: scriptSection('bench/signup.ts'), timeoutMs: 5 * 60_000 },
  atrest: { run: atRestSection, timeoutMs: 5 * 60_000 },
  importers: { run: scriptSection('bench/importers.ts'), timeoutMs: 4 * 60_000 },
  nat: { run: natSection, timeoutMs: 12 * 60_000 },
  files: { run: filesSection, timeoutMs: 20 * 60_000 },
  images: { run: scriptSection('bench/images.ts'), timeoutMs: 4 * 60_000 },
};

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !(a in SECTIONS) && a !== 'all');
if (unknown.length) {
  process.stderr.write(`unknown section ${unknown.join(', ')}; choose from: ${Object.keys(SECTIONS).join(', ')}, all\n`);
  process.exit(2);
}
const names = asked.length === 0 || asked.includes('all') ? Object.keys(SECTIONS) : asked;

const OUT = 'bench/results';
const previous: Results | null = existsSync(`${OUT}/latest.json`) ? (JSON.parse(readFileSync(`${OUT}/latest.json`, 'utf8')) as Results) : null;
const results: Results = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))) },
  sections: { ...(previous?.sections ?? {}) },
};
const ctx: BenchContext = { count: Number(process.env.BENCH_COUNT ?? 1000), size: 200, memo: new Map() };

let failed = 0;
for (const name of names) {
  const { run, timeoutMs } = SECTIONS[name]!;
  progress(`== ${name}`);
  const t0 = Date.now();
  let body: SectionBody;
  try {
    body = await withTimeout(run(ctx), timeoutMs, `section "${name}"`);
  } catch (err) {
    failed++;
    const why = err instanceof Error ? err.message : String(err);
    progress(`${name} FAILED: ${why}`);
    body = { title: name, rows: [], notes: [], error: why };
  }
  const section: SectionResult = { ...body, date: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 };
  results.sections[name] = section;
  progress(`${name} done in ${section.seconds.toFixed(0)} s`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/latest.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${OUT}/latest.md`, renderMarkdown(results) + renderSummary(results));
}
process.stdout.write(renderMarkdown(results, names));
// Last, so it is what stays on the screen: every goal of the run (and of earlier runs' sections).
process.stdout.write(renderSummary(results));
// A section that timed out may leave sockets or timers behind: the results are written, so leave.
process.exit(failed ? 1 : 0);
