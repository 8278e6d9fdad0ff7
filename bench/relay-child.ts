/**
 * The forwarders of `bench/relay.ts`, in their own process (one core): a Parley relay, and on request a
 * plain TCP splice proxy. Prints the relay's address; answers lines on stdin:
 *   rss                      → {"rss": bytes, "relayConns": n, "spliceConns": n}   (after a GC)
 *   cpu                      → {"us": n}: CPU time (user + system) this process has used, in µs
 *   splice <host> <port>     → {"port": n}: a splice proxy on 127.0.3.1 forwarding to host:port
 *   stop                     → stops and exits
 * Exits as soon as stdin closes, so a bench that dies never leaves it running.
 */
import { createInterface } from 'node:readline';
import { createServer, connect, type Server } from 'node:net';
import { RelayServer } from '../src/relay/index.js';

const HOST = '127.0.3.1';
const server = new RelayServer({
  host: HOST,
  // Admission limits off: this section measures forwarding and memory (bench/relay-attack.ts measures the limits).
  limits: {
    maxConnections: 20_000,
    maxHandshakes: 20_000,
    connectionsPerSource: 20_000,
    handshakesPerSource: 20_000,
    idleTimeoutMs: 600_000,
    framesPerSecond: 1_000_000,
    frameBurst: 1_000_000,
    bytesPerSecond: 1e12,
    byteBurst: 1e12,
  },
});
await server.start();
const { host, port } = server.address();
process.stdout.write(JSON.stringify({ host, port, publicKey: server.publicKey.toString('base64') }) + '\n');

let splice: Server | null = null;
let spliceConns = 0;
function startSplice(toHost: string, toPort: number): Promise<number> {
  splice = createServer((inbound) => {
    spliceConns++;
    const out = connect(toPort, toHost);
    inbound.pipe(out).pipe(inbound);
    const done = () => {
      inbound.destroy();
      out.destroy();
    };
    inbound.once('close', () => {
      spliceConns--;
      done();
    });
    out.once('close', done);
    inbound.on('error', done);
    out.on('error', done);
  });
  splice.maxConnections = 20_000;
  return new Promise((resolve) => splice!.listen(0, HOST, () => resolve((splice!.address() as { port: number }).port)));
}

const reply = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'rss') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    reply({ rss: m.rss, heap: m.heapUsed, external: m.external, relayConns: server.metrics().connections.open, spliceConns });
  }
  if (cmd === 'cpu') {
    const u = process.cpuUsage();
    reply({ us: u.user + u.system });
  }
  if (cmd === 'splice') void startSplice(a!, Number(b)).then((p) => reply({ port: p }));
  if (cmd === 'stop') void server.stop().then(() => process.exit(0));
});
lines.on('close', () => process.exit(0));
