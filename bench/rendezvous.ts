/**
 * Section `rendezvous`: what finding a known contact's reach costs through their rendezvous record
 * (today's found; or only yesterday's, so today's lookup comes back empty first), beside the intro
 * lookup it replaces, on one local Mainline DHT, each lookup from a fresh client.
 */
import pino from 'pino';
import { startTestnet } from '../src/testnet/index.js';
import { DhtNode, dayOf, dayStartMs, lookupIntro, publishIntro } from '../src/dht/index.js';
import { Identity } from '../src/identity/index.js';
import { openDb, upsertContact, type Db } from '../src/store/index.js';
import { Rendezvous } from '../src/node/rendezvous.js';
import { acceptTheirHalf, rendezvousUpdate } from '../src/node/rendezvous-secrets.js';
import { progress, type BenchContext, type SectionBody, type Row } from './section.js';
import { summarize, ms } from './stats.js';

const NODES = Number(process.env.BENCH_RV_NODES ?? 100);
const LOOKUPS = 20;

/** Two stores that hold both halves of the pair's secret, as after a first contact. */
function paired(a: Identity, b: Identity): [Db, Db] {
  const dbs: [Db, Db] = [openDb(':memory:'), openDb(':memory:')];
  upsertContact(dbs[0], b.id, 'added', 0);
  upsertContact(dbs[1], a.id, 'added', 0);
  for (const [from, to, fromDb, toDb] of [
    [a, b, dbs[0], dbs[1]],
    [b, a, dbs[1], dbs[0]],
  ] as const) {
    const u = rendezvousUpdate(fromDb, to.id)!;
    u.commit();
    if (u.content.t === 'rendezvous') acceptTheirHalf(toDb, from.id, u.content.mine, u.content.have);
  }
  return dbs;
}

export async function rendezvousSection(_ctx: BenchContext): Promise<SectionBody> {
  progress(`rendezvous: starting ${NODES} nodes`);
  const net = await startTestnet({ dhtNodes: NODES, connectTimeoutMs: 600_000, sweepMs: 60_000 });
  const clients: DhtNode[] = [];
  const logger = pino({ level: 'silent' });
  const nowS = () => Math.floor(Date.now() / 1000);
  try {
    const writer = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.251.1', loopbackOnly: true });
    clients.push(writer);
    await writer.start();
    const kinds = ['intro record (baseline)', "rendezvous, today's record", "rendezvous, only yesterday's record"] as const;
    type Kind = (typeof kinds)[number];
    const samples = new Map<Kind, { ms: number[]; queries: number[] }>(kinds.map((k) => [k, { ms: [], queries: [] }]));
    const jobs: Array<{ kind: Kind; bob: Identity; alice: Identity; aliceDb: Db }> = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const bob = Identity.generate();
      const alice = Identity.generate();
      await publishIntro(writer, bob, { expiresAt: nowS() + 3600 }, 1);
      jobs.push({ kind: kinds[0], bob, alice, aliceDb: openDb(':memory:') });
      // Bob's record for Alice, of today; for another pair, of yesterday only (his clock a day behind).
      for (const [kind, at] of [
        [kinds[1], Date.now()],
        [kinds[2], dayStartMs(dayOf(Date.now()) - 1) + 12 * 3_600_000],
      ] as const) {
        const [bobDb, aliceDb] = paired(bob, alice);
        const reachFor = () => ({ relay: Buffer.alloc(200, 1) });
        const bobSide = new Rendezvous({ dht: writer, db: bobDb, self: bob.id, reachFor, now: () => at, logger }, { intervalMs: 3_600_000, aheadMs: 0 });
        await bobSide.start();
        await bobSide.stop();
        jobs.push({ kind, bob, alice, aliceDb });
      }
    }
    progress(`rendezvous: ${NODES} nodes up; ${LOOKUPS} lookups of each kind, each from a fresh client`);
    for (const [i, job] of jobs.entries()) {
      // Readers stay up until the end: a departed one would cost every later lookup a query timeout.
      const reader = new DhtNode({ bootstrap: net.bootstrap, host: `127.0.252.${1 + (i % 250)}`, loopbackOnly: true });
      clients.push(reader);
      await reader.start();
      const aliceSide = new Rendezvous(
        { dht: reader, db: job.aliceDb, self: job.alice.id, reachFor: () => null, now: Date.now, logger },
        { intervalMs: 3_600_000 },
      );
      const q0 = reader.queryCount();
      const t = process.hrtime.bigint();
      const found =
        job.kind === kinds[0] ? await lookupIntro(reader, job.bob.id, nowS()).catch(() => null) : await aliceSide.lookup(job.bob.id).catch(() => null);
      if (found) {
        samples.get(job.kind)!.ms.push(ms(t));
        samples.get(job.kind)!.queries.push(reader.queryCount() - q0);
      }
    }
    const base = summarize(samples.get(kinds[0])!.ms).median;
    const rows: Row[] = kinds.map((kind) => {
      const s = summarize(samples.get(kind)!.ms);
      const q = summarize(samples.get(kind)!.queries);
      const ratio = Math.round((s.median / base) * 100) / 100; // to the intro lookup, same run
      return { lookup: kind, found: `${s.n}/${LOOKUPS}`, median_ms: s.median, p99_ms: s.p99, ratio_to_intro: ratio, krpc_queries_median: q.median };
    });
    return {
      title: `Rendezvous: finding a contact's reach on a local Mainline DHT of ${NODES} nodes`,
      rows,
      notes: [
        "ratio_to_intro: median / the intro lookup's median, same run. These lookups leave from the client's own address; through a DHT exit (what a relayed person does) see the dht-exit section.",
        "Each lookup from a fresh client (empty routing table apart from the bootstrap node). The intro lookup is what a node did for every contact before rendezvous records; it names the contact's ID to every DHT node it asks.",
        "A rendezvous lookup reads today's record, then yesterday's: when the contact has not published today's (their clock a day behind, or offline since before midnight), it pays for one lookup that finds nothing (which waits for every queried node to answer: on a network with departed nodes, a query timeout) before the one that finds it. Readers stay up through the section, so no departed node inflates this figure here.",
      ],
    };
  } finally {
    for (const c of clients) await c.stop();
    await net.stop();
  }
}
