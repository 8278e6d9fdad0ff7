/**
 * Section `history`: what a person does, with 0, 100,000 and 1,000,000 stored messages and 1,000
 * contacts, each beside the same figure of the empty home measured in the same run: the direct round
 * trip, idle CPU of `parley run`, GET /api/contacts, unread counts and one delivery tick (the outbox
 * query the delivery loop runs). The homes are built once and cached (see `homeTemplate`); each run
 * works on a copy, so a home is migrated by the code under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity, loadIdentity, saveIdentity } from '../src/identity/index.js';
import { ParleyNode } from '../src/node/index.js';
import { startTestnet, type Testnet } from '../src/testnet/index.js';
import { dueContacts, insertMessage, listContacts, openDb, unreadCounts, upsertContact, writeTx, type MessageRow } from '../src/store/index.js';
import { contactViews } from '../src/api/views.js';
import { progress, type BenchContext, type Row, type SectionBody } from './section.js';
import { ms, summarize } from './stats.js';
import { runArgs } from './run-args.js';
import { messageBody } from './corpus.js';

const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '0,100000,1000000').split(',').map(Number);
const CONTACTS = 1000;
const RTTS = Number(process.env.BENCH_HISTORY_RTT ?? 300);
const IDLE_S = Number(process.env.BENCH_HISTORY_IDLE_S ?? 20);
/** Where built homes are kept between runs (the 1,000,000-message home takes a minute or two to build). */
export const CACHE = join(tmpdir(), 'parley-bench-cache');
const TEMPLATE_VERSION = 1;

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/**
 * A home ("alice") with 1,000 contacts, one of them "bob" (whose identity is kept beside it), and `n`
 * messages: a tenth with Bob, the rest spread over the others; half in, half out; all delivered or
 * received, none unread-marked (so every incoming one counts as unread). Built once per `n`.
 */
function homeTemplate(n: number): string {
  const dir = join(CACHE, `history-v${TEMPLATE_VERSION}-${n}`);
  if (existsSync(join(dir, 'done'))) return dir;
  progress(`  building a home with ${n.toLocaleString('en-US')} messages (cached in ${CACHE})`);
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const bob = Identity.generate();
  saveIdentity(join(tmp, 'bob'), bob);
  saveIdentity(join(tmp, 'alice'), Identity.generate());
  const db = openDb(join(tmp, 'alice', 'parley.db'));
  const ids = [bob.id, ...Array.from({ length: CONTACTS - 1 }, () => Identity.generate().id)];
  writeTx(db, () => ids.forEach((id, i) => upsertContact(db, id, 'added', Date.now() - CONTACTS + i)));
  const t0 = Date.now();
  for (let done = 0; done < n; done += 10_000) {
    writeTx(db, () => {
      for (let k = done; k < Math.min(n, done + 10_000); k++) {
        const to = k % 10 === 0 ? bob.id : ids[1 + (k % (CONTACTS - 1))]!;
        const out = k % 2 === 0;
        insertMessage(db, {
          id: `h-${k}`,
          contactId: to,
          direction: out ? 'out' : 'in',
          convSeq: k + 1,
          body: messageBody(k),
          sentAt: t0 + k,
          receivedAt: out ? null : t0 + k,
          state: out ? 'delivered' : 'received',
          route: JSON.stringify({ route: 'direct', hops: [] }),
        });
      }
    });
    if ((done / 10_000) % 20 === 19) progress(`    ${(done + 10_000).toLocaleString('en-US')} stored`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  writeFileSync(join(tmp, 'done'), '');
  renameSync(tmp, dir);
  return dir;
}

/** A fresh copy of a template's homes under `root`. */
function copyHomes(template: string, root: string): { alice: string; bob: string } {
  mkdirSync(root, { recursive: true });
  cpSync(join(template, 'alice'), join(root, 'alice'), { recursive: true });
  cpSync(join(template, 'bob'), join(root, 'bob'), { recursive: true });
  return { alice: join(root, 'alice'), bob: join(root, 'bob') };
}

function medianOf(runs: number, fn: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(ms(s));
  }
  return summarize(t).median;
}

interface Figures {
  contactsMs: number;
  unreadMs: number;
  tickMs: number;
  apiContactsMs: number;
  idleCpuPct: number;
  rttMs: number;
  rttP99: number;
}

/** Store figures in this process: the contact list as /api/contacts builds it, unread counts, one outbox query of the delivery loop. */
function storeFigures(home: string): Pick<Figures, 'contactsMs' | 'unreadMs' | 'tickMs'> {
  const db = openDb(join(home, 'parley.db'));
  try {
    contactViews(db, listContacts(db)); // warm
    return {
      contactsMs: medianOf(5, () => contactViews(db, listContacts(db))),
      unreadMs: medianOf(11, () => unreadCounts(db)),
      tickMs: medianOf(21, () => dueContacts(db, Date.now())),
    };
  } finally {
    db.close();
  }
}

const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 Hz)
};

function startRun(args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('parley run was not online within 120 s'));
    }, 120_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`parley run exited (${code}) before it was online`));
    });
    lines.on('line', (l) => {
      // Online, not just ready: the network comes up after the ready line, and idle means after it.
      if (!/^Online:/.test(l)) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve(proc);
    });
  });
}

/** `parley run` on the home: idle CPU over IDLE_S seconds (3 s after it is online, to settle), then GET /api/contacts. */
async function daemonFigures(net: Testnet, home: string): Promise<Pick<Figures, 'apiContactsMs' | 'idleCpuPct'>> {
  const proc = await startRun(runArgs(net, home, '127.0.0.93'));
  try {
    await sleep(3000);
    const c0 = ticks(proc.pid!);
    const t0 = Date.now();
    await sleep(IDLE_S * 1000);
    const idleCpuPct = ((ticks(proc.pid!) - c0) / 100 / ((Date.now() - t0) / 1000)) * 100;
    const { url } = JSON.parse(readFileSync(join(home, 'api.json'), 'utf8')) as { url: string };
    const token = readFileSync(join(home, 'api-token'), 'utf8').trim();
    const get = async () => {
      const s = process.hrtime.bigint();
      const r = await fetch(new URL('api/contacts', url), { headers: { authorization: `Bearer ${token}` } });
      if (!r.ok) throw new Error(`GET /api/contacts: ${r.status}`);
      const body = (await r.json()) as unknown[];
      if (body.length !== CONTACTS) throw new Error(`GET /api/contacts gave ${body.length} contacts`);
      return ms(s);
    };
    await get();
    const t: number[] = [];
    for (let i = 0; i < 5; i++) t.push(await get());
    return { idleCpuPct, apiContactsMs: summarize(t).median };
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    await Promise.race([exited, sleep(10_000)]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

/** Direct round trips (200 B) from the stored home's Alice to a fresh Bob. */
async function roundTrips(net: Testnet, homes: { alice: string; bob: string }, count: number): Promise<Pick<Figures, 'rttMs' | 'rttP99'>> {
  const make = async (home: string, host: string) => {
    // The second relay is the DHT exit: with one relay alone the first lookup would wait for one (issue 13 §5).
    const relays = { relays: [net.relays[0]!], exitRelays: [net.relays[1]!] };
    const n = new ParleyNode({ home, bootstrap: net.bootstrap, host, ...relays, retry: { baseMs: 2_000, maxMs: 5_000 } });
    await n.start();
    return n;
  };
  const alice = await make(homes.alice, '127.0.0.94');
  const bob = await make(homes.bob, '127.0.0.95');
  try {
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, 'direct');
    bob.setVisibility(alice.id, 'direct');
    bob.send(alice.id, 'hello');
    const text = 'x'.repeat(200);
    const once = (): Promise<number> =>
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
    for (let i = 0; i < 10; i++) await once();
    const samples: number[] = [];
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < count && Date.now() < deadline; i++) samples.push(await once());
    const s = summarize(samples);
    return { rttMs: s.median, rttP99: s.p99 };
  } finally {
    await alice.stop();
    await bob.stop();
  }
}

export async function historySection(_ctx: BenchContext): Promise<SectionBody> {
  mkdirSync(CACHE, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-history-'));
  const net = await startTestnet({ dhtNodes: 8, relays: 2 });
  const by = new Map<number, Figures>();
  try {
    for (const n of SIZES) {
      const template = homeTemplate(n);
      const homes = copyHomes(template, join(root, String(n)));
      loadIdentity(homes.alice);
      progress(`history: ${n.toLocaleString('en-US')} messages: store figures (migrating the copy first)`);
      const store = storeFigures(homes.alice);
      progress(`history: ${n.toLocaleString('en-US')} messages: parley run, idle CPU over ${IDLE_S} s and GET /api/contacts`);
      const daemon = await daemonFigures(net, homes.alice);
      progress(`history: ${n.toLocaleString('en-US')} messages: direct round trips`);
      const rtt = await roundTrips(net, homes, RTTS);
      by.set(n, { ...store, ...daemon, ...rtt });
      progress(`  ${JSON.stringify(by.get(n))}`);
      rmSync(join(root, String(n)), { recursive: true, force: true });
    }
  } finally {
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const base = by.get(SIZES[0]!)!;
  const figures: Array<[keyof Figures, string, string]> = [
    ['rttMs', 'direct round trip 200 B, median', 'ms'],
    ['rttP99', 'direct round trip 200 B, p99', 'ms'],
    ['idleCpuPct', `idle CPU of \`parley run\` (${CONTACTS.toLocaleString('en-US')} contacts), ${IDLE_S} s`, '% of a core'],
    ['apiContactsMs', 'GET /api/contacts (1,000 contacts), median of 5', 'ms'],
    ['contactsMs', 'contact list as /api/contacts builds it (store only), median of 5', 'ms'],
    ['unreadMs', 'unread counts of every contact, median of 11', 'ms'],
    ['tickMs', 'delivery tick: the due-contacts outbox query, median of 21', 'ms'],
  ];
  const rows: Row[] = [];
  for (const [key, label, unit] of figures) {
    for (const n of SIZES.slice(1)) {
      const f = by.get(n)![key];
      rows.push({ figure: `${label}, ${n.toLocaleString('en-US')} messages`, value: f, baseline: base[key], ratio: f / base[key], unit });
    }
  }
  return {
    title: `Nothing slower as history grows (${CONTACTS.toLocaleString('en-US')} contacts; baseline: the same home with ${SIZES[0]!.toLocaleString('en-US')} messages)`,
    rows,
    notes: [
      `Homes built once and cached in ${CACHE} (one per size; a tenth of the messages with Bob, the rest over 999 other contacts, half incoming and unread); each run works on a copy, migrated by the code under test before anything is measured.`,
      'Round trip: Alice (the stored home) and a fresh Bob as ParleyNodes in the bench process, both `direct`, on an 8-node local DHT; 10 warm-up round trips. Idle CPU: utime + stime of the `parley run` process from /proc over the window, 3 s after its `Online:` line. GET /api/contacts: HTTP with the token, through the running daemon.',
      'The empty home returns no last message, route or unread count for its 1,000 contacts, so the store-only contact list and unread rows also measure building 1,000 results instead of none; compare the 100,000 and 1,000,000 rows with each other for growth with history (the user-facing GET /api/contacts row carries the same work).',
      'Goal (issue 14): every ratio within 1.1 (the idle CPU row within a few tenths of a percent of a core: it is near the resolution of /proc, 10 ms); idle CPU under 1 % of a core.',
    ],
  };
}
