/**
 * `npm run bench`: every Parley figure beside a baseline measured in the same run.
 *  - message round trip (200 B, send → end-to-end receipt back), Parley direct vs raw TCP echo
 *  - DHT intro-record lookup on the local test network: time and KRPC queries per lookup
 * Writes bench/results/latest.json and prints a Markdown table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { ParleyNode } from '../src/node/index.js';
import { startTestnet, type Testnet } from '../src/testnet/index.js';
import { DhtNode, lookupIntro } from '../src/dht/index.js';
import type { MessageRow } from '../src/store/index.js';
import { summarize, ms, table } from './stats.js';
import { tcpEchoRoundTrips } from './tcp-echo.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const SIZE = 200;

type Vis = 'direct' | 'relayed';
let people = 0;

async function roundTrips(root: string, net: Testnet, aliceSets: Vis, bobSets: Vis, withLookup: boolean) {
  const make = async (relay: number) => {
    const home = join(root, `p${++people}`);
    saveIdentity(home, Identity.generate());
    const n = new ParleyNode({ home, bootstrap: net.bootstrap, host: `127.0.0.${120 + people}`, relays: [net.relays[relay]!], retry: { baseMs: 2_000, maxMs: 5_000 } });
    await n.start();
    return n;
  };
  const alice = await make(0);
  const bob = await make(1);
  alice.addContact(bob.id);
  bob.addContact(alice.id);
  alice.setVisibility(bob.id, aliceSets);
  bob.setVisibility(alice.id, bobSets);
  bob.send(alice.id, 'hello'); // so that a `direct` Bob has given Alice his reach
  const text = 'x'.repeat(SIZE);
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
  const samples: number[] = [];
  for (let i = 0; i < COUNT; i++) samples.push(await roundTrip());

  // DHT: a fresh client looks up Bob's intro record through the network (no cache).
  const lookupSamples: number[] = [];
  const queries: number[] = [];
  for (let i = 0; i < (withLookup ? 20 : 0); i++) {
    const client = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.250' });
    await client.start();
    const before = client.queryCount();
    const start = process.hrtime.bigint();
    await lookupIntro(client, bob.id, Math.floor(Date.now() / 1000));
    lookupSamples.push(ms(start));
    queries.push(client.queryCount() - before);
    await client.stop();
  }
  await alice.stop();
  await bob.stop();
  return { samples, lookup: { samples: lookupSamples, queries } };
}

const root = mkdtempSync(join(tmpdir(), 'parley-bench-'));
const net = await startTestnet({ dhtNodes: 8, relays: 2 });
try {
  const tcp = summarize(await tcpEchoRoundTrips(COUNT, SIZE));
  const parley = await roundTrips(root, net, 'direct', 'direct', true);
  const direct = summarize(parley.samples);
  const one = summarize((await roundTrips(root, net, 'direct', 'relayed', false)).samples);
  const two = summarize((await roundTrips(root, net, 'relayed', 'relayed', false)).samples);
  const lookup = summarize(parley.lookup.samples);
  const q = parley.lookup.queries;
  const row = (measure: string, s: ReturnType<typeof summarize>) => ({ measure, n: s.n, median_ms: s.median, p99_ms: s.p99, ratio_to_tcp: s.median / tcp.median });
  const rows = [
    row(`round trip ${SIZE} B: raw TCP echo (baseline)`, tcp),
    row(`round trip ${SIZE} B: Parley direct (send → E2E receipt)`, direct),
    row(`round trip ${SIZE} B: Parley via their relay (1 relay)`, one),
    row(`round trip ${SIZE} B: Parley via my relay + circuit + theirs (2 relays)`, two),
    { measure: 'DHT intro lookup, 8-node testnet', n: lookup.n, median_ms: lookup.median, p99_ms: lookup.p99, ratio_to_tcp: lookup.median / tcp.median },
  ];
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    rows,
    dhtQueriesPerLookup: { median: summarize(q).median, max: Math.max(...q) },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', JSON.stringify(result, null, 2));
  console.log(table(rows));
  console.log(`DHT KRPC queries per lookup: median ${result.dhtQueriesPerLookup.median}, max ${result.dhtQueriesPerLookup.max}`);
} finally {
  await net.stop();
  rmSync(root, { recursive: true, force: true });
}
