import { afterEach, describe, expect, it } from 'vitest';
import { dial, Listener, type Connection } from '../../src/transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { until } from '../helpers/until.js';

type Conn = Connection<PeerFrameOut, PeerFrame>;
const keys = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();

let listener: Listener<PeerFrameOut, PeerFrame> | null = null;
const dialed: Conn[] = [];
afterEach(async () => {
  for (const c of dialed.splice(0)) c.close();
  await listener?.stop();
  listener = null;
});

/** A listener on loopback whose connections time out after `idleTimeoutMs`; answers bundle-req. */
async function serve(idleTimeoutMs: number) {
  const server = keys();
  const conns: Conn[] = [];
  const closes: string[] = [];
  listener = new Listener(peerCodec, { host: '127.0.0.22', keyPair: server, idleTimeoutMs }, (conn: Conn) => {
    conns.push(conn);
    conn.on('frame', (f: PeerFrame) => {
      if (f.t === 'bundle-req') conn.send({ v: 1, t: 'bundle', n: f.n, bundle: {} });
    });
    conn.on('close', (r: string) => closes.push(r));
  });
  await listener.start();
  return { server, conns, closes, ...listener.address() };
}

/** Counts the raw (encrypted) chunks arriving on a connection's socket. */
function rawChunks(conn: Conn): { n: number } {
  const seen = { n: 0 };
  conn.stream.rawStream.on('data', () => seen.n++);
  return seen;
}

describe('idle connections (one sweep for all, transport/idle.ts)', () => {
  it('keeps a quiet connection open past its idle timeout with keep-alives both ways', async () => {
    const IDLE = 450;
    const { server, conns, closes, host, port } = await serve(IDLE);
    const client: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys(), idleTimeoutMs: IDLE });
    dialed.push(client);
    const atServer = rawChunks(await until(() => conns[0], 'the listener to open the connection', 5_000));
    const atClient = rawChunks(client);
    // Keep-alives go every third of the timeout: four each way span more than the timeout.
    await until(
      () => atServer.n >= 4 && atClient.n >= 4,
      () => `four keep-alives each way (server got ${atServer.n}, client ${atClient.n})`,
      10_000,
    );
    expect(closes).toEqual([]);
    const reply = new Promise<PeerFrame>((resolve) => client.once('frame', resolve));
    client.send({ v: 1, t: 'bundle-req', n: 'still-open' });
    expect(await reply).toMatchObject({ t: 'bundle', n: 'still-open' });
  });

  it('closes a connection whose peer stays silent past the idle timeout, on both sides', async () => {
    const { server, closes, host, port } = await serve(300);
    // The dialer's own timeout is long: its keep-alives would come every 20 s, so it stays silent.
    const client: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys(), idleTimeoutMs: 60_000 });
    dialed.push(client);
    const clientClosed = new Promise<string>((resolve) => client.once('close', resolve));
    expect(await until(() => closes[0], 'the listener to time the silent connection out', 10_000)).toBe('IDLE_TIMEOUT');
    expect(await clientClosed).toMatch(/CLOSED|ECONNRESET|STREAM_ERROR/);
  });
});
