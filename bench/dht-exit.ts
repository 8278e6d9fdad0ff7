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

function row(path: string, op: string, samples: number[], n: number): Row {
  const s = summarize(samples);
  return { path, op, ok: `${s.n}/${n}`, median_ms: s.median, p99_ms: s.p99 };
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
    rows.push(row('own address', 'publish intro', pubDirect, OPS), row('guard → exit (new circuit each)', 'publish intro', pubExit, OPS));
    rows.push(row('own address', 'lookup intro', getDirect, OPS), row('guard → exit (new circuit each)', 'lookup intro', getExit, OPS));
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
      exitRelays: exits ? [net.relays[1 - guard]!] : [], // none: the DHT from the node's own address
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
    const contacts = [row('own address', 'first contact to receipt', own, CONTACTS), row('guard → exit', 'first contact to receipt', exit, CONTACTS)];
    return {
      title: 'DHT through an exit relay vs from your own address',
      rows,
      tables: [{ title: 'First contact by ID, two relayed people on two relays (the message route is the same: only the DHT path differs)', rows: contacts }],
      notes: [
        `${NODES} bittorrent-dht nodes and 2 relays on loopback, in this process. "own address": the person's own DHT node asks (what every relayed person did before issue 13 §2). "guard → exit": a Noise circuit through the person's relay to a second relay, which asks the DHT; the record is signed and verified on the device.`,
        'A lookup through the exit opens a fresh circuit (Noise handshake to the exit through the guard) so the exit cannot tie the IDs one person looks up together; publishing reuses one circuit.',
        'First contact to receipt: from the first send to its end-to-end receipt, including both intro lookups, the prekey bundle fetch and the two-relay route, with fresh nodes each time.',
      ],
    };
  } finally {
    await net.stop();
  }
}
