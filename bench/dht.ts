/**
 * Section `dht`: intro-record lookups on a local Mainline DHT of N bittorrent-dht nodes in one
 * process (100 and 1,000 by default), beside log2(N), the Kademlia yardstick.
 */
import { startTestnet } from '../src/testnet/index.js';
import { DhtNode, lookupIntro, publishIntro } from '../src/dht/index.js';
import { Identity } from '../src/identity/index.js';
import { progress, type BenchContext, type SectionBody, type Row } from './section.js';
import { summarize, ms } from './stats.js';

const SIZES = (process.env.BENCH_DHT_SIZES ?? '100,1000').split(',').map(Number).filter((n) => n > 0);
const LOOKUPS = 20;

export async function dhtSection(_ctx: BenchContext): Promise<SectionBody> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    progress(`dht: starting ${n} nodes`);
    const t0 = process.hrtime.bigint();
    const net = await startTestnet({ dhtNodes: n, connectTimeoutMs: 600_000 });
    const startMs = ms(t0);
    const now = () => Math.floor(Date.now() / 1000);
    try {
      const people = Array.from({ length: LOOKUPS }, () => Identity.generate());
      const writer = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.250.1', loopbackOnly: true });
      await writer.start();
      for (const p of people) await publishIntro(writer, p, { expiresAt: now() + 3600 }, 1);
      await writer.stop();
      progress(`dht: ${n} nodes up in ${(startMs / 1000).toFixed(1)} s; ${LOOKUPS} lookups, each from a fresh client`);
      const samples: number[] = [];
      const queries: number[] = [];
      for (const p of people) {
        const reader = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.250.2', loopbackOnly: true });
        await reader.start();
        const q0 = reader.queryCount();
        const t = process.hrtime.bigint();
        await lookupIntro(reader, p.id, now());
        samples.push(ms(t));
        queries.push(reader.queryCount() - q0);
        await reader.stop();
      }
      const s = summarize(samples);
      const q = summarize(queries);
      rows.push({
        nodes: n, network_start_s: startMs / 1000, lookups: s.n, lookup_median_ms: s.median, lookup_p99_ms: s.p99,
        krpc_queries_median: q.median, krpc_queries_max: Math.max(...queries), log2_n: Math.log2(n), queries_per_log2_n: q.median / Math.log2(n),
      });
    } finally {
      await net.stop();
    }
  }
  return {
    title: 'DHT: intro-record lookup on a local Mainline DHT',
    rows,
    notes: [
      'N real bittorrent-dht nodes in this process, each on its own 127.0.x.y, UDP; one writer publishes signed BEP44 intro records, then a fresh client (empty routing table apart from the bootstrap node) finds and verifies each one. KRPC queries are counted from after the client has bootstrapped.',
      'bittorrent-dht keeps up to 16 queries in flight rather than running lock-step rounds, so the figure to hold against log2 N is queries per lookup: Kademlia predicts O(k·log2 N) with k parallel queries per step, i.e. a roughly constant queries_per_log2_n as N grows.',
      'All nodes share the bench process (and 2 busy cores), so latency here is mostly CPU queueing, not network; compare the two sizes with each other.',
    ],
  };
}
