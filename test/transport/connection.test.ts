import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { dial, Listener, TransportError, type Connection } from '../../src/transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { until } from '../helpers/until.js';

type Conn = Connection<PeerFrameOut, PeerFrame>;
const keys = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
const ID = 'y'.repeat(52);

let listener: Listener<PeerFrameOut, PeerFrame> | null = null;
afterEach(async () => {
  await listener?.stop();
  listener = null;
});

async function serve(received: PeerFrame[], closes: string[] = []) {
  const server = keys();
  listener = new Listener(peerCodec, { host: '127.0.0.21', keyPair: server }, (conn: Conn) => {
    conn.on('frame', (f: PeerFrame) => {
      received.push(f);
      if (f.t === 'bundle-req') conn.send({ v: 1, t: 'bundle', n: f.n, bundle: {} });
    });
    conn.on('close', (r: string) => closes.push(r));
  });
  await listener.start();
  return { server, ...listener.address() };
}

function nextFrame(conn: Conn): Promise<PeerFrame> {
  return new Promise((resolve) => conn.once('frame', resolve));
}

describe('Noise IK connection', () => {
  it('carries frames both ways once the initiator knows the responder key', async () => {
    const received: PeerFrame[] = [];
    const { server, host, port } = await serve(received);
    const conn: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys() });
    const reply = nextFrame(conn);
    conn.send({ v: 1, t: 'bundle-req', n: 'abc' });
    expect(await reply).toEqual({ v: 1, t: 'bundle', n: 'abc', bundle: {} });
    conn.send({ v: 1, t: 'env', from: ID, kind: 'whisper', body: Buffer.from('ciphertext').toString('base64') });
    await until(() => received[1], 'the envelope to reach the listener', 5_000);
    expect(received[1]).toMatchObject({ t: 'env', kind: 'whisper' });
    expect((received[1] as { body: Buffer }).body.toString()).toBe('ciphertext');
    conn.close();
  });

  it('gives nothing back to a dialer that does not know the key', async () => {
    const { host, port } = await serve([]);
    const err = await dial(peerCodec, { host, port, remotePublicKey: keys().publicKey, keyPair: keys() }).catch((e) => e);
    expect(TransportError.is(err)).toBe(true);
    expect(err.code).toMatch(/HANDSHAKE_FAILED|CLOSED/);
  });

  it('closes only the offending connection on a schema-violating frame', async () => {
    const received: PeerFrame[] = [];
    const closes: string[] = [];
    const { server, host, port } = await serve(received, closes);
    const good: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys() });
    const bad: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys() });
    bad.stream.write(Buffer.from(JSON.stringify({ v: 1, t: 'env', from: 'nope' })));
    await new Promise((r) => bad.once('close', r));
    expect(closes).toEqual(['BAD_FRAME']);
    const reply = nextFrame(good);
    good.send({ v: 1, t: 'bundle-req', n: 'still-here' });
    expect(await reply).toMatchObject({ n: 'still-here' });
    good.close();
  });

  it('refuses an oversized frame from its length prefix and random bytes before the handshake', async () => {
    const closes: string[] = [];
    const { server, host, port } = await serve([], closes);
    const raw = connect({ host, port });
    await new Promise((r) => raw.once('connect', r));
    raw.write(Buffer.from([0xff, 0xff, 0xff]));
    await new Promise((r) => raw.once('close', r));
    const noise = connect({ host, port });
    await new Promise((r) => noise.once('connect', r));
    noise.write(Buffer.concat([Buffer.from([200, 0, 0]), randomBytes(200)]));
    await new Promise((r) => noise.once('close', r));
    const good: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: keys() });
    expect(good.opened).toBe(true);
    good.close();
  });
});
