import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { DhtNode } from '../../src/dht/index.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { configuredRelays, DEFAULT_LIMITS, describeRelay, descriptorPublisher, dhtRelays, RelayError } from '../../src/relay/index.js';
import { startTestnet } from '../../src/testnet/index.js';
import { cleanup, clientOf, startRelay, track } from './helpers.js';

const CLIENT = '127.0.0.41';
const RELAY1 = '127.0.0.42';
const SERVICE = '127.0.0.43';
const RELAY2 = '127.0.0.44';
const DHT_OF_RELAY1 = '127.0.0.45';
const ATTACKER_DHT = '127.0.0.46';

const later: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await cleanup();
  for (const fn of later.splice(0).reverse()) await fn();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (RelayError.is(e) ? e.code : String(e)),
  );

/** An internal-only HTTP service on this host that counts every connection, byte and request it sees. */
async function internalService(): Promise<{ server: Server; port: number; seen: { connections: number; bytes: number; requests: number } }> {
  const seen = { connections: 0, bytes: 0, requests: 0 };
  const server = createServer((_req, res) => {
    seen.requests++;
    res.end('internal secrets');
  });
  server.on('connection', (socket) => {
    seen.connections++;
    socket.on('data', (chunk: Buffer) => (seen.bytes += chunk.length));
  });
  await new Promise<void>((resolve) => server.listen(0, SERVICE, resolve));
  later.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, port: (server.address() as { port: number }).port, seen };
}

/** Opens a circuit and, if the relay lets it, speaks HTTP down it as an attacker would, and reads the answer. */
async function attack(client: Awaited<ReturnType<typeof clientOf>>, port: number, key: Buffer): Promise<string> {
  return codeOf(
    client.openCircuitStream(SERVICE, port, key).then(async (stream) => {
      stream.write(`GET /admin HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`);
      const answer = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
      throw new Error(`the circuit reached the service: ${answer.toString().split('\r\n')[0]}`);
    }),
  );
}

describe('circuits lead only to relays', () => {
  it('refuses a circuit to an HTTP service on the relay host before a single byte reaches it', async () => {
    const service = await internalService();
    // Even a relay started for a local test network, with a directory of its own, reaches nothing else.
    const relay1 = await startRelay(RELAY1, { relays: configuredRelays([]), allowPrivateHops: true });
    const client = await clientOf(relay1, CLIENT);
    expect(await attack(client, service.port, randomBytes(32))).toBe('CIRCUIT_REFUSED');
    // A relay on defaults (loopback, no flag) refuses it too.
    const plain = await startRelay('127.0.0.47');
    const client2 = await clientOf(plain, CLIENT);
    expect(await attack(client2, service.port, randomBytes(32))).toBe('CIRCUIT_REFUSED');
    expect(service.seen).toEqual({ connections: 0, bytes: 0, requests: 0 });
    expect(client.connected && client2.connected).toBe(true);
  });

  it('follows the DHT: a real relay descriptor opens the circuit; a forged one for the service is refused', { timeout: 30_000 }, async () => {
    const net = await startTestnet({ dhtNodes: 3 });
    later.push(() => net.stop());
    const service = await internalService();
    const relay2Keys = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const relay2 = await startRelay(RELAY2, { keyPair: relay2Keys });

    // Anyone may publish a "relay descriptor": the attacker publishes one pointing at the service.
    const attackerDht = new DhtNode({ bootstrap: net.bootstrap, host: ATTACKER_DHT, loopbackOnly: true });
    await attackerDht.start();
    later.push(() => attackerDht.stop());
    const forged = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const publishers = [
      descriptorPublisher(attackerDht, forged, () => describeRelay(SERVICE, service.port, forged.publicKey, DEFAULT_LIMITS)),
      descriptorPublisher(attackerDht, relay2Keys, () => relay2.descriptor()),
    ];
    for (const p of publishers) {
      await p.start();
      later.push(() => p.stop());
    }

    const dht = new DhtNode({ bootstrap: net.bootstrap, host: DHT_OF_RELAY1, loopbackOnly: true });
    await dht.start();
    later.push(() => dht.stop());
    const relay1 = await startRelay(RELAY1, { relays: dhtRelays(dht), allowPrivateHops: true });
    const client = await clientOf(relay1, CLIENT);

    const far = track(await client.openCircuit(RELAY2, relay2.address().port, relay2.publicKey));
    expect(await far.getBlob(randomBytes(32).toString('base64'))).toBeNull();

    expect(await attack(client, service.port, forged.publicKey)).toBe('CIRCUIT_REFUSED');
    // The relay's own probe (a Noise handshake the service cannot answer) may knock, but nothing
    // of the client's ever arrives: no request was made of the service.
    expect(service.seen.requests).toBe(0);
    expect(relay1.metrics().circuits.open).toBe(1);
  });
});
