import { afterEach, describe, expect, it } from 'vitest';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayClient, RelayError } from '../../src/relay/index.js';
import { Listener, TransportError } from '../../src/transport/index.js';
import { relayServerCodec, type ClientToRelay, type RelayToClientOut } from '../../src/wire/relay-frames.js';
import { cleanup, clientOf, closed, startRelay, track } from './helpers.js';

const RELAY = '127.0.0.91';
const CLIENT = '127.0.0.92';

afterEach(cleanup);

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e as { code?: string }).code ?? String(e),
  );

/** A relay that completes the handshake, notes each client's Noise key, and never answers. */
async function mute() {
  const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
  const keys: string[] = [];
  const listener = new Listener<RelayToClientOut, ClientToRelay>(relayServerCodec, { host: RELAY, keyPair }, (conn) => {
    keys.push(conn.remotePublicKey!.toString('hex'));
  });
  await listener.start();
  const { port } = listener.address();
  return { keys, port, publicKey: keyPair.publicKey, stop: () => listener.stop() };
}

describe('relay client', () => {
  it('presents a fresh Noise key to every relay connection', async () => {
    const relay = await mute();
    try {
      const opts = { host: RELAY, port: relay.port, publicKey: relay.publicKey, localAddress: CLIENT };
      const a = track(await new RelayClient(opts).connect());
      const b = track(await new RelayClient(opts).connect());
      await a.close();
      await b.close();
      expect(relay.keys).toHaveLength(2);
      expect(relay.keys[0]).not.toBe(relay.keys[1]);
    } finally {
      await relay.stop();
    }
  });

  it('gives up on a request the relay never answers, with TIMEOUT', async () => {
    const relay = await mute();
    try {
      const client = track(await new RelayClient({ host: RELAY, port: relay.port, publicKey: relay.publicKey, requestTimeoutMs: 200 }).connect());
      expect(await codeOf(client.getBlob(Buffer.alloc(32).toString('base64')))).toBe('TIMEOUT');
      expect(client.connected).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  it('tells connected clients the relay is shutting down', async () => {
    const relay = await startRelay(RELAY);
    const client = await clientOf(relay, CLIENT);
    const reason = closed(client);
    await relay.stop();
    expect(await reason).toBe('SHUTDOWN');
  });

  it('refuses to talk to a relay that does not hold the published key', async () => {
    const relay = await startRelay(RELAY);
    const { host, port } = relay.address();
    const err = await new RelayClient({ host, port, publicKey: randomBytes(32) }).connect().catch((e: unknown) => e);
    expect(TransportError.is(err)).toBe(true);
    expect(relay.metrics().connections.accepted).toBe(0);
  });

  it('says NOT_CONNECTED before connect and CLOSED after, and checks sizes before sending', async () => {
    const relay = await startRelay(RELAY);
    const { host, port } = relay.address();
    const idle = new RelayClient({ host, port, publicKey: relay.publicKey.toString('base64') });
    expect(await codeOf(idle.registerMailbox(randomBytes(32)))).toBe('NOT_CONNECTED');
    const client = await clientOf(relay, CLIENT);
    expect(await codeOf(client.registerMailbox(randomBytes(16)))).toBe('BAD_REQUEST');
    expect(await codeOf(client.send(Buffer.alloc(32).toString('base64'), Buffer.alloc(47 * 1024)))).toBe('TOO_LARGE');
    expect(await codeOf(client.send('not-a-mailbox-id', Buffer.from('x')))).toBe('BAD_REQUEST');
    expect(await codeOf(client.getBlob('AAAA'))).toBe('BAD_REQUEST');
    expect(await codeOf(client.openCircuitStream('relay.example.org', 443, randomBytes(32)))).toBe('BAD_REQUEST');
    expect(client.connected).toBe(true);
    await client.close();
    const err = await client.putBlob(randomBytes(32), Buffer.from('x')).catch((e: unknown) => e);
    expect(RelayError.is(err) && err.code).toBe('CLOSED');
    expect(relay.metrics().framesIn).toEqual({}); // nothing invalid ever reached the relay
  });
});
