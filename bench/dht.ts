/**
 * Section `dht`: intro-record lookups on a local Mainline DHT of N bittorrent-dht nodes in one
 * process (100 and 1,000 by default), beside log2(N), the Kademlia yardstick.
 */
import { startTestnet } from '../src/testnet/index.js';
import { DhtNode, lookupIntro, publishIntro } from '../src/dht/index.js';
import { Identity } from '../src/identity/index.js';
import { progress, type BenchContext, type SectionBody, type Row } from './section.js';
import { summarize, ms } from './stats.js';

const SIZES = (process.env.BENCH_DHT_SIZES ?? '100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const LOOKUPS = 20;

async function retry<T>(fn: () => Promise<T>, times = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= times) throw err;
      progress(`dht: retrying a publish (${(err as { code?: string }).code ?? err})`);
    }
  }
}

export async function dhtSection(_ctx: BenchContext): Promise<SectionBody> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    progress(`dht: starting ${n} nodes`);
    const t0 = process.hrtime.bigint();
    // Nobody leaves during the measurement (departed nodes would cost later lookups a query
    // timeout), so the testnet's sweeper can be slow and leave the CPU to the lookups.
    const net = await startTestnet({ dhtNodes: n, connectTimeoutMs: 600_000, sweepMs: 60_000 });
    const startMs = ms(t0);
    const now = () => Math.floor(Date.now() / 1000);
    const clients: DhtNode[] = [];
    try {
      const people = Array.from({ length: LOOKUPS }, () => Identity.generate());
      const writer = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.250.1', loopbackOnly: true });
      clients.push(writer);
      await writer.start();
      for (const p of people) await retry(() => publishIntro(writer, p, { expiresAt: now() + 3600 }, 1));
      progress(`dht: ${n} nodes up in ${(startMs / 1000).toFixed(1)} s; ${LOOKUPS} lookups, each from a fresh client`);
      const samples: number[] = [];
      const firsts: number[] = [];
      const queries: number[] = [];
      const failed: string[] = [];
      for (const [i, p] of people.entries()) {
        const reader = new DhtNode({ bootstrap: net.bootstrap, host: `127.0.250.${10 + i}`, loopbackOnly: true });
        clients.push(reader);
        await reader.start();
        const q0 = reader.queryCount();
        const t = process.hrtime.bigint();
        try {
          // The same lookup, noting when the first verified record arrived (the rest is settling for a higher seq).
          let first: number | null = null;
          const timed = {
            getMutable: async (k: Buffer, salt: Uint8Array | string) => ((r) => ((first = r.firstMatchMs), r))(await reader.getMutable(k, salt)),
          };
          await lookupIntro(timed, p.id, now());
          samples.push(ms(t));
          if (first !== null) firsts.push(first);
          queries.push(reader.queryCount() - q0);
        } catch (err) {
          failed.push((err as { code?: string }).code ?? String(err));
        }
      }
      if (failed.length) progress(`dht: ${failed.length} lookups failed: ${failed.join(', ')}`);
      const s = summarize(samples);
      const f = summarize(firsts);
      const q = summarize(queries);
      rows.push({
        nodes: n,
        network_start_s: startMs / 1000,
        lookups_ok: `${s.n}/${LOOKUPS}`,
        first_match_median_ms: f.median,
        first_match_p99_ms: f.p99,
        lookup_median_ms: s.median,
        lookup_p99_ms: s.p99,
        krpc_queries_median: q.median,
        krpc_queries_max: Math.max(...queries),
        log2_n: Math.log2(n),
        queries_per_log2_n: q.median / Math.log2(n),
      });
    } finally {
      for (const c of clients) await c.stop();
      await net.stop();
    }
  }
  return {
    title: 'DHT: intro-record lookup on a local Mainline DHT',
    rows,
    notes: [
      'N real bittorrent-dht nodes in this process, each on its own 127.0.x.y, UDP; one writer publishes signed BEP44 intro records, then a fresh client (empty routing table apart from the bootstrap node) finds and verifies each one. KRPC queries are counted from after the client has bootstrapped.',
      'bittorrent-dht keeps up to 16 queries in flight rather than running lock-step rounds, so the figure to hold against log2 N is queries per lookup: Kademlia predicts O(k·log2 N) with k parallel queries per step, i.e. a roughly constant queries_per_log2_n as N grows.',
      'first_match is the time to the first record that verified; lookup is the time until the lookup settles (every queried node answered, or settleMs after the first match, listening for a higher seq). A caller that needs only a current record could act at first_match.',
      'All nodes share the bench process (and 2 busy cores), so latency here is mostly CPU queueing, not network; compare the two sizes with each other.',
    ],
  };
}
