/** A relay in its own process for `bench/relay.ts`: prints its address, answers "rss" on stdin. */
import { createInterface } from 'node:readline';
import { RelayServer } from '../src/relay/index.js';

const server = new RelayServer({
  host: '127.0.3.1',
  limits: { maxConnections: 20_000, framesPerSecond: 1_000_000, frameBurst: 1_000_000, bytesPerSecond: 1e12, byteBurst: 1e12 },
});
await server.start();
const { host, port } = server.address();
process.stdout.write(JSON.stringify({ host, port, publicKey: server.publicKey.toString('base64') }) + '\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'rss') {
    globalThis.gc?.();
    process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }) + '\n');
  }
  if (line === 'stop') void server.stop().then(() => process.exit(0));
});
