/**
 * `npx tsx bench/dht-scale.ts [N...]`: intro-record lookup latency and KRPC queries on a local
 * Mainline DHT of N bittorrent-dht nodes in one process, beside log2(N) as the Kademlia yardstick.
 */
import { startTestnet } from '../src/testnet/index.js';
import { DhtNode, lookupIntro, publishIntro } from '../src/dht/index.js';
import { Identity } from '../src/identity/index.js';
import { summarize, ms, table } from './stats.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const rows: Array<Record<string, string | number>> = [];
for (const n of sizes.length ? sizes : [100]) {
  const t0 = process.hrtime.bigint();
  const net = await startTestnet({ dhtNodes: n, connectTimeoutMs: 600_000 });
  const startMs = ms(t0);
  const people = Array.from({ length: 10 }, () => Identity.generate());
  const writer = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.250.1', loopbackOnly: true });
  await writer.start();
  for (const p of people) await publishIntro(writer, p, { expiresAt: Math.floor(Date.now() / 1000) + 3600 }, 1);
  const samples: number[] = [];
  const queries: number[] = [];
  for (const p of people) {
    const reader = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.250.2', loopbackOnly: true });
    await reader.start();
    const q0 = reader.queryCount();
    const t = process.hrtime.bigint();
    await lookupIntro(reader, p.id, Math.floor(Date.now() / 1000));
    samples.push(ms(t));
    queries.push(reader.queryCount() - q0);
    await reader.stop();
  }
  await writer.stop();
  await net.stop();
  const s = summarize(samples);
  rows.push({ nodes: n, start_s: startMs / 1000, lookup_median_ms: s.median, lookup_p99_ms: s.p99, queries_median: summarize(queries).median, log2_n: Math.log2(n) });
}
console.log(table(rows));
