/**
 * `npx tsx bench/ui.ts`: the web UI with a 10,000-message conversation, in Debian chromium.
 *  - history search through the API (FTS5) over N messages, beside a LIKE '%term%' scan of the same
 *    table in the same run (the baseline an index-less search would be);
 *  - opening the conversation and scrolling it top to bottom: frame times and how many rows are in
 *    the DOM, beside the same 10,000 messages rendered as a plain (not virtualised) list in the
 *    same browser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browsers.js';
import { ApiClient, Daemon, apiToken, startApi } from '../src/api/index.js';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { insertMessage, upsertContact } from '../src/store/index.js';
import { startTestnet } from '../src/testnet/index.js';
import { summarize, table } from './stats.js';
import { handBack } from './script-section.js';

const N = Number(process.env.BENCH_UI_MESSAGES ?? 10_000);
const WORDS = 'meet ledger river harbor quiet signal amber north coffee window garden paper orbit velvet candle'.split(' ');
const log = (s: string) => process.stderr.write(s + '\n');

const root = mkdtempSync(join(tmpdir(), 'parley-bench-ui-'));
const net = await startTestnet({ dhtNodes: 2, relays: 0 });
const home = join(root, 'alice');
const daemon = new Daemon({ home, node: { bootstrap: net.bootstrap, host: '127.0.5.1' } });
await daemon.open();
const token = apiToken(home);
const api = await startApi({ daemon, token });
const client = new ApiClient(api.url, token);
await client.onboard({ mode: 'incognito', name: 'Alice' });
const bobId = Identity.generate().id;
saveIdentity(join(root, 'bob'), Identity.generate());
const db = daemon.node!.db;
upsertContact(db, bobId, 'added', Date.now(), 'Bob');
log(`storing ${N} messages...`);
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const words = Array.from({ length: 6 + (i % 20) }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]);
    insertMessage(db, {
      id: `m${i}`,
      contactId: bobId,
      direction: i % 2 ? 'in' : 'out',
      convSeq: i + 1,
      body: `${i} ${words.join(' ')}`,
      sentAt: Date.now() - (N - i) * 60_000,
      receivedAt: null,
      state: i % 2 ? 'received' : 'delivered',
      route: JSON.stringify({ route: 'two-relays', hops: ['my-relay', 'their-relay'], sees: [] }),
    });
  }
  insertMessage(db, {
    id: 'needle',
    contactId: bobId,
    direction: 'in',
    convSeq: N + 1,
    body: 'the zeppelin lands at dawn',
    sentAt: Date.now(),
    receivedAt: Date.now(),
    state: 'received',
    route: null,
  });
})();

// Search: through the whole API (HTTP + JSON) vs a LIKE scan in SQLite alone.
const timeIt = async (fn: () => unknown, runs = 200) => {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return summarize(out);
};
const like = db.prepare("SELECT seq FROM messages WHERE body LIKE '%' || ? || '%' ORDER BY seq DESC LIMIT 100");
const rare = await timeIt(() => client.search('zeppelin'));
const common = await timeIt(() => client.search('harbor'));
const likeRare = await timeIt(() => like.all('zeppelin'));
const likeCommon = await timeIt(() => like.all('harbor'));

// Browser: open the conversation and scroll it from the newest message to the oldest.
log('opening the conversation in chromium...');
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
await page.goto(api.openUrl);
await page.getByRole('button', { name: /Bob/ }).waitFor();
const t0 = Date.now();
await page.getByRole('button', { name: /Bob/ }).click();
await page.locator('.msg-row').first().waitFor();
const openMs = Date.now() - t0;

/** Scrolls `selector` to the top in steps, one per animation frame; returns frame intervals (ms). */
async function scrollFrames(p: Page, selector: string): Promise<{ frames: number[]; maxRows: number }> {
  return p.evaluate(async (sel) => {
    const el = document.querySelector(sel) as HTMLElement;
    const frames: number[] = [];
    let maxRows = 0;
    let last = performance.now();
    const steps = 300;
    const step = el.scrollHeight / steps;
    for (let i = 0; i < steps; i++) {
      el.scrollTop = Math.max(0, el.scrollTop - step);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const now = performance.now();
      frames.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('.msg-row, .plain-row').length);
    }
    return { frames, maxRows };
  }, selector);
}
await page.waitForTimeout(300);
const virtual = await scrollFrames(page, '.messages');
// Then all the way up: pages of older messages load as the top comes near, until the first one.
const t1 = Date.now();
await page.evaluate(async () => {
  const el = document.querySelector('.messages') as HTMLElement;
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    el.scrollTop = 0;
    await new Promise((r) => setTimeout(r, 30));
    const firstRow = el.querySelector('.msg-row[data-index="0"] .body');
    if (firstRow?.textContent?.startsWith('0 ')) return;
  }
  throw new Error('never reached the first message');
});
const toOldestMs = Date.now() - t1;

// Baseline: the same rows as a plain list (what an unvirtualised UI would render).
const messages = await client.messages(bobId, { limit: 10_000 });
const plainPage = await browser.newPage({ viewport: { width: 1200, height: 800 } });
await plainPage.goto(`${api.url}app.css`); // same origin, our stylesheet
const plainOpen = await plainPage.evaluate((ms: Array<{ body: string; direction: string }>) => {
  const t = performance.now();
  document.body.innerHTML = '';
  const box = document.createElement('div');
  box.className = 'plain';
  box.style.cssText = 'height:800px;overflow-y:auto';
  for (const m of ms) {
    const row = document.createElement('div');
    row.className = `plain-row ${m.direction}`;
    row.innerHTML =
      '<article style="padding:8px;margin:4px;border:1px solid #ddd;border-radius:12px"><p></p><footer><time>11:00</time> <button>2 relays</button></footer></article>';
    row.querySelector('p')!.textContent = m.body;
    box.appendChild(row);
  }
  document.body.appendChild(box);
  box.scrollTop = box.scrollHeight;
  void box.offsetHeight;
  return performance.now() - t;
}, messages);
const plain = await scrollFrames(plainPage, '.plain');
await browser.close();

const v = summarize(virtual.frames);
const p = summarize(plain.frames);
const title = `Web UI with a ${N.toLocaleString()}-message conversation (chromium ${browser.version()}, headless)`;
const rows = [
  {
    measure: `search via API, rare word (1 hit of ${N + 1})`,
    median_ms: rare.median,
    p99_ms: rare.p99,
    baseline: `LIKE scan ${likeRare.median.toFixed(2)} / ${likeRare.p99.toFixed(2)} ms`,
  },
  {
    measure: 'search via API, common word (100 newest hits)',
    median_ms: common.median,
    p99_ms: common.p99,
    baseline: `LIKE scan ${likeCommon.median.toFixed(2)} / ${likeCommon.p99.toFixed(2)} ms`,
  },
  {
    measure: 'open conversation (click to first row; newest 500 loaded)',
    median_ms: openMs,
    p99_ms: openMs,
    baseline: `plain list build ${plainOpen.toFixed(0)} ms`,
  },
  {
    measure: `scroll from the newest to the very first of ${N.toLocaleString()} (pages load on the way)`,
    median_ms: toOldestMs,
    p99_ms: toOldestMs,
    baseline: '',
  },
  { measure: 'scroll frame interval, virtualised', median_ms: v.median, p99_ms: v.p99, baseline: `plain list ${p.median.toFixed(1)} / ${p.p99.toFixed(1)} ms` },
  { measure: 'rows in the DOM while scrolling (max)', median_ms: virtual.maxRows, p99_ms: virtual.maxRows, baseline: `plain list ${plain.maxRows}` },
];
console.log(`\n${title}\n`);
console.log(table(rows));
handBack({
  title,
  rows,
  notes: [
    'Search goes through the whole API (HTTP, JSON, FTS5 with snippets); the baseline is a LIKE scan in SQLite alone, which stops early for common words.',
    'Scroll: 300 steps from the newest message up, one per animation frame; the baseline renders the same 10,000 rows as a plain list in the same browser.',
  ],
});
await api.close();
await daemon.close();
await net.stop();
rmSync(root, { recursive: true, force: true });
