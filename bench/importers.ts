/**
 * `npx tsx bench/importers.ts`: address book import (vCard, CSV) at the API's 5 MB limit.
 *  - a hostile vCard (one quoted-printable value soft-broken over every line: what made unfolding
 *    quadratic), a 5 MB address book of ordinary folded cards, and a 5 MB CSV;
 *  - baseline: the old unfolding (bench/importers-baseline.ts) on the same hostile input at 156 and
 *    313 KiB, measured in this run; its 5 MB figure is extrapolated (it doubles in size → ×4 in time);
 *  - the longest the event loop waits while the daemon's import parses 5 MB (parseContactsAsync),
 *    beside the time a synchronous parse holds it.
 */
import { formatCsv, formatVcards, parseContactsAsync, parseCsv, parseVcards } from '../src/signup/index.js';
import { oldUnfold } from './importers-baseline.js';
import { handBack } from './script-section.js';
import { table } from './stats.js';

const KiB = 1024;
const MB = 5 * 1024 * KiB;

function hostile(bytes: number): string {
  const line = 'ab=\n';
  return 'BEGIN:VCARD\nNOTE;ENCODING=QUOTED-PRINTABLE:' + line.repeat(Math.floor(bytes / line.length)) + 'x\nEND:VCARD\n';
}
function book(bytes: number): string {
  const cards = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const c = {
      name: `Person number ${i} with a rather long display name that folds`,
      emails: [`person.${i}@example.org`],
      phones: [`+4179${1_000_000 + (i % 8_999_999)}`],
    };
    cards.push(c);
    size += 200;
  }
  return formatVcards(cards).slice(0, bytes);
}
function csv(bytes: number): string {
  const rows = [['Name', 'E-mail', 'Phone']];
  for (let i = 0, size = 0; size < bytes; i++, size += 50) rows.push([`Person ${i}`, `p${i}@example.org`, `+4179${1_000_000 + i}`]);
  return formatCsv(rows);
}
function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

process.stderr.write('importers: baseline (old unfolding) on 156 and 313 KiB\n');
const old156 = time(() => oldUnfold(hostile(156 * KiB)));
const old313 = time(() => oldUnfold(hostile(313 * KiB)));
const oldAt5 = old313 * (MB / (313 * KiB)) ** 2;
process.stderr.write('importers: current parser\n');
const new313 = time(() => parseVcards(hostile(313 * KiB)));
const new5 = time(() => parseVcards(hostile(MB)));
const bookText = book(MB);
const book5 = time(() => parseVcards(bookText));
const csvText = csv(MB);
const csv5 = time(() => parseCsv(csvText));

// The event loop during the daemon's import of 5 MB: the longest gap between two timer ticks.
let worst = 0;
let last = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  worst = Math.max(worst, now - last);
  last = now;
}, 1);
const asyncStart = performance.now();
await parseContactsAsync(bookText, 'vcf');
const asyncMs = performance.now() - asyncStart;
clearInterval(ticker);

const title = 'Address book import at the 5 MB limit (vCard unfolding, CSV)';
const rows = [
  {
    figure: 'hostile vCard, 313 KiB (one QP value soft-broken on every line)',
    value: fmt(new313),
    baseline: `old unfolding: ${fmt(old313)} (156 KiB: ${fmt(old156)})`,
  },
  { figure: 'hostile vCard, 5 MB', value: fmt(new5), baseline: `old unfolding: ~${fmt(oldAt5)} (extrapolated, quadratic)` },
  { figure: 'ordinary folded vCards, 5 MB', value: fmt(book5), baseline: '—' },
  { figure: 'CSV, 5 MB', value: fmt(csv5), baseline: '—' },
  {
    figure: 'longest event-loop stall while the daemon imports 5 MB of vCards',
    value: fmt(worst),
    baseline: `a synchronous parse holds it ${fmt(book5)}; async parse took ${fmt(asyncMs)}`,
  },
];
console.log(`\n## ${title}\n`);
console.log(table(rows));
handBack({ title, rows, notes: ['old 5 MB figure extrapolated from 313 KiB: time × (size ratio)²; 156 → 313 KiB shows the growth'] });
process.exit(0);
