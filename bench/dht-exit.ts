/**
 * Section `dht-exit`: what it costs a relayed person to reach the DHT through a circuit (guard relay
 * → exit relay, which asks the DHT) instead of from their own address, measured side by side on one
 * local network: intro-record lookups and publishes, then a whole first contact between two people.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startTestnet, type Testnet } from '../src/testnet/index.js';
import { DhtNode, lookupIntro, publishIntro } from '../src/dht/index.js';
import { openDb, upsertContact } from '../src/store/index.js';
import { Rendezvous } from '../src/node/rendezvous.js';
import { acceptTheirHalf, rendezvousUpdate } from '../src/node/rendezvous-secrets.js';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { RelayClient } from '../src/relay/index.js';
import { ExitAccess, type DhtAccess } from '../src/node/dht-access.js';
import { ParleyNode, type NodeOptions } from '../src/node/index.js';
import { progress, type BenchContext, type SectionBody, type Row } from './section.js';
import { summarize, ms } from './stats.js';

const NODES = Number(process.env.BENCH_EXIT_NODES ?? 50);
const OPS = 20;
const CONTACTS = 5;

const now = () => Math.floor(Date.now() / 1000);

async function timed(label: string, fn: (i: number) => Promise<unknown>, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    try {
      await fn(i);
      samples.push(ms(t));
    } catch (err) {
      progress(`dht-exit: a ${label} failed (${(err as { code?: string }).code ?? String(err)})`);
    }
  }
  return samples;
}

/** One path's figures; `baseline` (the own-address samples of the same operation, same run) adds the ratio of the medians. */
function row(path: string, op: string, samples: number[], n: number, baseline?: number[]): Row {
  const s = summarize(samples);
  const ratio = baseline ? s.median / summarize(baseline).median : 1;
  return { path, op, ok: `${s.n}/${n}`, median_ms: s.median, p99_ms: s.p99, ratio_to_own_address: Math.round(ratio * 100) / 100 };
}

/**
 * Bob's rendezvous record for Alice, published from `writer`, and Alice's lookup of it through a
 * given DHT access (each pair looked up once per path: a second lookup would only hit a warm cache).
 */
async function rendezvousPair(writer: DhtNode): Promise<{ lookup: (dht: DhtAccess | DhtNode) => Promise<unknown> }> {
  const [alice, bob] = [Identity.generate(), Identity.generate()];
  const [aliceDb, bobDb] = [openDb(':memory:'), openDb(':memory:')];
  upsertContact(aliceDb, bob.id, 'added', 0);
  upsertContact(bobDb, alice.id, 'added', 0);
  for (const [from, to, fromDb, toDb] of [
    [alice, bob, aliceDb, bobDb],
    [bob, alice, bobDb, aliceDb],
  ] as const) {
    const u = rendezvousUpdate(fromDb, to.id)!;
    u.commit();
    if (u.content.t === 'rendezvous') acceptTheirHalf(toDb, from.id, u.content.mine, u.content.have);
  }
  const logger = pino({ level: 'silent' });
  const bobSide = new Rendezvous(
    { dht: writer, db: bobDb, self: bob.id, reachFor: () => ({ relay: Buffer.alloc(200, 1) }), now: Date.now, logger },
    { intervalMs: 3_600_000 },
  );
  await bobSide.start();
  await bobSide.stop();
  return {
    lookup: async (dht) => {
      const aliceSide = new Rendezvous({ dht, db: aliceDb, self: alice.id, reachFor: () => null, now: Date.now, logger }, { intervalMs: 3_600_000 });
      const found = await aliceSide.lookup(bob.id);
      if (!found?.relay) throw new Error('no rendezvous record found');
    },
  };
}

/** Lookups and publishes: one person's DHT node vs a guard connection and an exit. */
async function operations(net: Testnet): Promise<Row[]> {
  const people = Array.from({ length: OPS }, () => Identity.generate());
  const direct = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.251.1', loopbackOnly: true });
  await direct.start();
  const g = net.relays[0]!;
  const guard = await new RelayClient({ ...g, localAddress: '127.0.251.2' }).connect();
  const exitAccess = () => new ExitAccess({ guard: () => guard, guardAddress: g, exits: [net.relays[1]!], logger: pino({ level: 'silent' }) });
  const viaExit: DhtAccess = exitAccess();
  try {
    const rows: Row[] = [];
    const pubDirect = await timed('direct publish', (i) => publishIntro(direct, people[i]!, { expiresAt: now() + 3600 }, 1), OPS);
    // A fresh access (so a fresh circuit) per publish: 20 publishes on one circuit would meet its rate limit.
    const pubExit = await timed(
      'publish through the exit',
      async (i) => {
        const access = exitAccess();
        await publishIntro(access, people[i]!, { expiresAt: now() + 3600 }, 2).finally(() => access.close());
      },
      OPS,
    );
    const getDirect = await timed('direct lookup', (i) => lookupIntro(direct, people[i]!.id, now()), OPS);
    const getExit = await timed('lookup through the exit', (i) => lookupIntro(viaExit, people[i]!.id, now()), OPS);
    rows.push(row('own address', 'publish intro', pubDirect, OPS), row('guard → exit (new circuit each)', 'publish intro', pubExit, OPS, pubDirect));
    rows.push(row('own address', 'lookup intro', getDirect, OPS), row('guard → exit (new circuit each)', 'lookup intro', getExit, OPS, getDirect));
    // A reach update: a known contact's current reach, from the rendezvous record they keep for us.
    const pairs = await Promise.all(Array.from({ length: OPS }, () => rendezvousPair(direct)));
    const rvDirect = await timed('direct rendezvous lookup', (i) => pairs[i]!.lookup(direct), OPS);
    const rvExit = await timed('rendezvous lookup through the exit', (i) => pairs[i]!.lookup(viaExit), OPS);
    rows.push(
      row('own address', 'lookup rendezvous (reach update)', rvDirect, OPS),
      row('guard → exit (new circuit each)', 'lookup rendezvous (reach update)', rvExit, OPS, rvDirect),
    );
    return rows;
  } finally {
    await guard.close();
    await direct.stop();
  }
}

/**
 * First contact by ID between two relayed people on two relays: through exits vs the DHT from their
 * own addresses, alternating, so both meet the same network state.
 */
async function firstContacts(net: Testnet): Promise<{ own: number[]; exit: number[] }> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-exit-'));
  const nodes: ParleyNode[] = [];
  let host = 10;
  const start = async (name: string, guard: 0 | 1, exits: boolean): Promise<ParleyNode> => {
    const home = join(root, name);
    saveIdentity(home, Identity.generate());
    const opts: NodeOptions = {
      home,
      bootstrap: net.bootstrap,
      host: `127.0.252.${host++}`,
      retry: { baseMs: 200, maxMs: 1_000 },
      relays: [net.relays[guard]!],
      // Without exits: the DHT from the node's own address, which now takes the person's consent
      // (reachable directly by strangers); with one relay alone and no consent, lookups wait (issue 13 §5).
      ...(exits ? { exitRelays: [net.relays[1 - guard]!] } : { exitRelays: [], reachableByStrangers: true }),
    };
    const node = new ParleyNode(opts);
    await node.start();
    nodes.push(node);
    return node;
  };
  const once = async (i: number, exits: boolean) => {
    const a = await start(`a${i}${exits}`, 0, exits);
    const b = await start(`b${i}${exits}`, 1, exits);
    const t0 = process.hrtime.bigint();
    a.addContact(b.id);
    const t = a.send(b.id, 'hello');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no receipt in 30 s')), 30_000);
      a.on('delivered', (m: { id: string }) => {
        if (m.id === t.id) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return ms(t0);
  };
  const out = { own: [] as number[], exit: [] as number[] };
  try {
    for (let i = 0; i < CONTACTS; i++) {
      for (const exits of [false, true]) {
        try {
          (exits ? out.exit : out.own).push(await once(i, exits));
        } catch (err) {
          progress(`dht-exit: a first contact failed (${String(err)})`);
        }
      }
    }
    return out;
  } finally {
    for (const n of nodes) await n.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function dhtExitSection(_ctx: BenchContext): Promise<SectionBody> {
  progress(`dht-exit: starting ${NODES} DHT nodes and 2 relays`);
  const net = await startTestnet({ dhtNodes: NODES, relays: 2, connectTimeoutMs: 120_000, sweepMs: 60_000 });
  try {
    const rows = await operations(net);
    progress('dht-exit: first contacts');
    const { own, exit } = await firstContacts(net);
    const contacts = [row('own address', 'first contact to receipt', own, CONTACTS), row('guard → exit', 'first contact to receipt', exit, CONTACTS, own)];
    return {
      title: 'DHT through an exit relay vs from your own address',
      rows,
      tables: [{ title: 'First contact by ID, two people on two relays, both messages relayed', rows: contacts }],
      notes: [
        `${NODES} bittorrent-dht nodes and 2 relays on loopback, in this process. "own address": the person's own DHT node asks (what every relayed person did before issue 13 §2). "guard → exit": a Noise circuit through the person's relay to a second relay, which asks the DHT; the record is signed and verified on the device.`,
        'A lookup through the exit opens a fresh circuit (Noise handshake to the exit through the guard) so the exit cannot tie the IDs one person looks up together; publishing reuses one circuit.',
        'First contact to receipt: from the first send to its end-to-end receipt, including both intro lookups, the prekey bundle fetch and the two-relay route, with fresh nodes each time. "own address" people are reachable directly by strangers (the only way their DHT traffic may leave from their address now); their mailbox is then on their own relay, so the message route differs by the detour the exit people make around a relay holding the other\'s mailbox.',
        "Reach update: looking up the rendezvous record a known contact keeps for us (today's, found), as every send to a contact whose reach is not cached does.",
        'ratio_to_own_address: median through the exit / median from the own address, same operation, same run.',
      ],
    };
  } finally {
    await net.stop();
  }
}
