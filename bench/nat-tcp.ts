// Baseline for bench/nat.ts, run in a namespace: `listen <host>` serves Noise over TCP and answers
// every frame (prints {port, key}); `dial <host> <port> <key>` prints ms to connect + handshake + first answer.
import { dial, Listener } from '../src/transport/index.js';
import { Ed25519KeyPair, randomBytes } from '../src/identity/index.js';
import { peerCodec } from '../src/wire/peer-frames.js';

const [mode, host, port, key] = process.argv.slice(2);
const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
if (mode === 'listen') {
  const l = new Listener(peerCodec, { host: host!, port: 0, keyPair }, (c) => c.on('frame', () => c.send({ v: 1, t: 'bundle-req', n: 'pong' })));
  await l.start();
  process.stdout.write(JSON.stringify({ port: l.address().port, key: keyPair.publicKey.toString('base64') }) + '\n');
} else {
  const t0 = performance.now();
  const c = await dial(peerCodec, { host: host!, port: Number(port), remotePublicKey: Buffer.from(key!, 'base64'), keyPair });
  await new Promise((r) => {
    c.once('frame', r);
    c.send({ v: 1, t: 'bundle-req', n: 'ping' });
  });
  process.stdout.write(`${performance.now() - t0}\n`);
  c.close();
  process.exit(0);
}
