import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes as cryptoRandom } from 'node:crypto';
import UDX, { type UDXSocket } from 'udx-native';
import { Ed25519KeyPair, randomBytes } from '../../../src/identity/index.js';
import { RelayServer } from '../../../src/relay/index.js';
import { learnMapping, punch, TransportError, type PunchCandidates } from '../../../src/transport/index.js';
import { peerCodec, type PeerFrame } from '../../../src/wire/peer-frames.js';

// Loopback only: relays on 127.0.0.31/.32, the two people on 127.0.0.33/.34. The NAT matrix itself
// lives in test/reliability/nat-punch.test.ts (network namespaces).
const keys = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
const udx = new UDX();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function relay(host: string): Promise<RelayServer> {
  const r = new RelayServer({ host });
  await r.start();
  cleanups.push(() => r.stop());
  return r;
}

function socketOn(host: string): UDXSocket {
  const s = udx.createSocket();
  s.bind(0, host);
  cleanups.push(() => s.close());
  return s;
}

async function candidates(socket: UDXSocket, relays: RelayServer[]): Promise<PunchCandidates> {
  const m = await learnMapping(
    socket,
    relays.map((r) => r.address()),
  );
  return { addresses: [socket.address(), m.reflected], kind: m.kind, streamId: cryptoRandom(4).readUInt32BE(0) };
}

describe('UDP reflector and hole punch (loopback)', () => {
  it('a relay reports the address and port it sees; two relays agree on a socket without NAT', async () => {
    const relays = [await relay('127.0.0.31'), await relay('127.0.0.32')];
    const socket = socketOn('127.0.0.33');
    const m = await learnMapping(
      socket,
      relays.map((r) => r.address()),
    );
    expect(m.reflected).toEqual({ host: '127.0.0.33', port: socket.address().port });
    expect(m.kind).toBe('stable');
  });

  it('both punch at once: the Noise connection over UDX carries a frame each way', async () => {
    const relays = [await relay('127.0.0.31'), await relay('127.0.0.32')];
    const [sa, sb] = [socketOn('127.0.0.33'), socketOn('127.0.0.34')];
    const [ka, kb] = [keys(), keys()];
    const [ca, cb] = [await candidates(sa, relays), await candidates(sb, relays)];
    const punchId = cryptoRandom(16);
    const common = { punchId, codec: peerCodec, deadlineMs: 5_000 };
    const [a, b] = await Promise.all([
      punch({ ...common, socket: sa, isInitiator: true, mine: ca, theirs: cb, keyPair: ka, remotePublicKey: kb.publicKey }),
      punch({ ...common, socket: sb, isInitiator: false, mine: cb, theirs: ca, keyPair: kb, remotePublicKey: ka.publicKey }),
    ]);
    cleanups.push(async () => {
      a.connection.close();
      b.connection.close();
    });
    const atB = new Promise<PeerFrame>((r) => b.connection.once('frame', r));
    const atA = new Promise<PeerFrame>((r) => a.connection.once('frame', r));
    a.connection.send({ v: 1, t: 'bundle-req', n: 'from-a' });
    expect(await atB).toMatchObject({ t: 'bundle-req', n: 'from-a' });
    b.connection.send({ v: 1, t: 'bundle-req', n: 'from-b' });
    expect(await atA).toMatchObject({ t: 'bundle-req', n: 'from-b' });
    expect(b.remote.port).toBe(sa.address().port);
  });

  it('someone without the contact key cannot take the punched path', async () => {
    const [sa, sb] = [socketOn('127.0.0.33'), socketOn('127.0.0.34')];
    const [ka, kb, mallory] = [keys(), keys(), keys()];
    const ca: PunchCandidates = { addresses: [sa.address()], kind: 'stable', streamId: 11 };
    const cb: PunchCandidates = { addresses: [sb.address()], kind: 'stable', streamId: 22 };
    const common = { punchId: cryptoRandom(16), codec: peerCodec, deadlineMs: 3_000 };
    const results = await Promise.allSettled([
      punch({ ...common, socket: sa, isInitiator: true, mine: ca, theirs: cb, keyPair: mallory, remotePublicKey: kb.publicKey }),
      punch({ ...common, socket: sb, isInitiator: false, mine: cb, theirs: ca, keyPair: kb, remotePublicKey: ka.publicKey }),
    ]);
    const b = results[1]!;
    expect(b.status).toBe('rejected');
    expect(TransportError.is((b as PromiseRejectedResult).reason) && (b as PromiseRejectedResult).reason.code).toBe('HANDSHAKE_FAILED');
  });

  it('both networks changing ports is refused at once, saying why', async () => {
    const socket = socketOn('127.0.0.33');
    const c: PunchCandidates = { addresses: [{ host: '127.0.0.34', port: 9 }], kind: 'changes-ports', streamId: 1 };
    const t0 = Date.now();
    await expect(
      punch({ socket, isInitiator: true, mine: c, theirs: c, punchId: cryptoRandom(16), codec: peerCodec, keyPair: keys(), remotePublicKey: keys().publicKey }),
    ).rejects.toThrow('direct not possible: both networks change ports');
    expect(Date.now() - t0).toBeLessThan(100);
  });

  it('nobody answering ends the punch at its deadline with a reason', async () => {
    const socket = socketOn('127.0.0.33');
    const silent = socketOn('127.0.0.34'); // bound, so nothing bounces, but it never punches
    const mine: PunchCandidates = { addresses: [socket.address()], kind: 'stable', streamId: 1 };
    const theirs: PunchCandidates = { addresses: [silent.address()], kind: 'stable', streamId: 2 };
    const t0 = Date.now();
    const err = await punch({
      socket,
      isInitiator: true,
      mine,
      theirs,
      punchId: cryptoRandom(16),
      codec: peerCodec,
      keyPair: keys(),
      remotePublicKey: keys().publicKey,
      deadlineMs: 800,
    }).catch((e: unknown) => e);
    expect(TransportError.is(err) && err.code).toBe('DIRECT_IMPOSSIBLE');
    expect((err as Error).message).toMatch(/no probe got through/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(790);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
