/**
 * `npx tsx bench/relay.ts`: the relay on its own process (one core).
 *  - forwarding rate: mailbox sends from one client delivered live to another, vs a plain TCP splice
 *    proxy written for the bench (bytes forwarded untouched), both measured here in the same run;
 *  - memory per idle connection: relay RSS before and after IDLE Noise connections are open.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer, connect, type Socket } from 'node:net';
import { RelayClient } from '../src/relay/index.js';
import { table } from './stats.js';

const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const SIZE = 200;

const child = spawn('node', ['--expose-gc', '--import', 'tsx', 'bench/relay-child.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const relay = JSON.parse(await next()) as { host: string; port: number; publicKey: string };
const rss = async () => {
  child.stdin!.write('rss\n');
  return (JSON.parse(await next()) as { rss: number }).rss;
};

// Forwarding: Bob's live mailbox, Alice sending with up to 64 sends in flight.
const bob = await new RelayClient({ ...relay, localAddress: '127.0.3.2' }).connect();
const alice = await new RelayClient({ ...relay, localAddress: '127.0.3.3' }).connect();
const mailbox = await bob.registerMailbox(Buffer.alloc(32, 7));
let got = 0;
const toAck: number[] = [];
// Bob acknowledges as a node does (the relay keeps an item until it is acked, 1,000 per mailbox).
const done = new Promise<void>((resolve) =>
  bob.on('mail', (item) => {
    toAck.push(item.itemId);
    if (toAck.length >= 32) bob.ack(mailbox, toAck.splice(0)).catch(() => {});
    if (++got === MESSAGES) resolve();
  }),
);
const t0 = process.hrtime.bigint();
const payload = Buffer.alloc(SIZE, 1);
const inflight = new Set<Promise<void>>();
for (let i = 0; i < MESSAGES; i++) {
  const p = alice.send(mailbox, payload).finally(() => inflight.delete(p));
  inflight.add(p);
  if (inflight.size >= 64) await Promise.race(inflight);
}
await Promise.all(inflight);
await done;
const relayRate = MESSAGES / (Number(process.hrtime.bigint() - t0) / 1e9);
await alice.close();
await bob.close();

// Baseline: a plain TCP splice proxy forwarding 200-byte writes between two sockets.
const sink = createServer((s) => s.resume());
await new Promise<void>((r) => sink.listen(0, '127.0.3.4', r));
const proxy = createServer((inbound) => {
  const out = connect((sink.address() as { port: number }).port, '127.0.3.4');
  inbound.pipe(out);
});
await new Promise<void>((r) => proxy.listen(0, '127.0.3.5', r));
let received = 0;
const sinkDone = new Promise<void>((resolve) => {
  sink.removeAllListeners('connection');
  sink.on('connection', (s: Socket) => s.on('data', (d: Buffer) => { received += d.length; if (received >= MESSAGES * SIZE) resolve(); }));
});
const c = connect((proxy.address() as { port: number }).port, '127.0.3.5');
await new Promise((r) => c.once('connect', r));
const t1 = process.hrtime.bigint();
for (let i = 0; i < MESSAGES; i++) if (!c.write(payload)) await new Promise((r) => c.once('drain', r));
await sinkDone;
const spliceRate = MESSAGES / (Number(process.hrtime.bigint() - t1) / 1e9);
c.destroy();
proxy.close();
sink.close();

// Memory per idle connection.
const before = await rss();
const idle: RelayClient[] = [];
for (let i = 0; i < IDLE; i += 200) {
  const batch = Array.from({ length: Math.min(200, IDLE - i) }, () => new RelayClient({ ...relay, localAddress: '127.0.3.6', idleTimeoutMs: 600_000 }).connect());
  idle.push(...(await Promise.all(batch)));
  if (idle.length % 2000 === 0) process.stderr.write(`${idle.length} idle connections\n`);
}
const after = await rss();
console.log(table([
  { measure: `plain TCP splice proxy, ${SIZE} B writes (baseline)`, value: spliceRate, unit: 'msgs/s' },
  { measure: `relay mailbox forwarding, ${SIZE} B, live to owner`, value: relayRate, unit: 'msgs/s' },
  { measure: 'relay forwarding / splice', value: relayRate / spliceRate, unit: 'ratio' },
  { measure: `relay memory per idle Noise connection (${idle.length} open)`, value: (after - before) / idle.length / 1024, unit: 'KiB' },
]));
await Promise.all(idle.map((c) => c.close()));
child.stdin!.write('stop\n');
