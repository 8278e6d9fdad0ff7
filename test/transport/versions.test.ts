import { afterEach, describe, expect, it } from 'vitest';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { dial, Listener, TransportError, type Connection } from '../../src/transport/index.js';
import type { FrameCodec } from '../../src/wire/json-codec.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { relayClientCodec } from '../../src/wire/relay-frames.js';
import type { Speaks } from '../../src/wire/versions.js';
import { startRelay, cleanup as stopRelays } from '../relay/helpers.js';

/*
 * Two releases that share no protocol version say so, with UNSUPPORTED_VERSION and a sentence that
 * tells the person which side is older, instead of closing as if the other had sent a bad frame.
 * The "other release" here is the real codec with another version range: what a newer build sends.
 */
const HOST = '127.0.0.121';
const DIALER = '127.0.0.122';

const release = <I, O>(codec: FrameCodec<I, O>, speaks: Speaks | undefined): FrameCodec<I, O> => {
  const { speaks: _drop, ...rest } = codec;
  return speaks ? { ...rest, speaks } : rest;
};

const open: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.stop();
  await stopRelays();
});

async function listen(codec: FrameCodec<PeerFrameOut, PeerFrame>) {
  const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
  const rejected: string[] = [];
  const accepted: Array<Connection<PeerFrameOut, PeerFrame>> = [];
  const listener = new Listener(codec, { host: HOST, keyPair, onRejected: (r) => rejected.push(r) }, (c) => accepted.push(c));
  await listener.start();
  open.push(listener);
  return { ...listener.address(), publicKey: keyPair.publicKey, rejected, accepted };
}

const dialer = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('protocol versions between releases', () => {
  it('a newer peer is told, and tells, which side must update', async () => {
    const newer = await listen(release(peerCodec, { family: 'peer', min: 3, max: 4 }));
    const err = await failure(dial(peerCodec, { ...newer, keyPair: dialer(), remotePublicKey: newer.publicKey, localAddress: DIALER }));
    expect(TransportError.is(err) && err.code).toBe('INCOMPATIBLE_RELEASE');
    expect((err as Error).message).toMatch(/newer Parley release \(protocol 3–4; this one speaks 1–2\): update Parley/);
    await expect.poll(() => newer.rejected).toEqual(['UNSUPPORTED_VERSION']);
    expect(newer.accepted).toHaveLength(0);
  });

  it('an older peer is named as the one to update', async () => {
    const current = await listen(peerCodec);
    const err = await failure(
      dial(release(peerCodec, { family: 'peer', min: 3, max: 3 }), { ...current, keyPair: dialer(), remotePublicKey: current.publicKey }),
    );
    expect((err as Error).message).toMatch(/older Parley release \(protocol 1–2; this one speaks 3\)/);
    await expect.poll(() => current.rejected).toEqual(['UNSUPPORTED_VERSION']);
  });

  it('overlapping ranges open at the highest shared version', async () => {
    const wide = await listen(release(peerCodec, { family: 'peer', min: 1, max: 4 }));
    const conn = await dial(peerCodec, { ...wide, keyPair: dialer(), remotePublicKey: wide.publicKey });
    expect(conn.version).toBe(2);
    expect(conn.theirSpeaks).toEqual({ family: 'peer', min: 1, max: 4 });
    await expect.poll(() => wide.accepted.length).toBe(1);
    expect(wide.accepted[0]!.version).toBe(2);
    conn.close();
  });

  it('a release from before versions (a frame instead of a preamble) is refused as UNSUPPORTED_VERSION', async () => {
    const current = await listen(peerCodec);
    const old = await dial(release(peerCodec, undefined), { ...current, keyPair: dialer(), remotePublicKey: current.publicKey });
    const closed = new Promise((r) => old.once('close', r));
    old.send({ v: 1, t: 'bundle-req', n: 'x' });
    await closed;
    expect(current.rejected).toEqual(['UNSUPPORTED_VERSION']);
  });

  it('a frame of an unknown version on an open connection closes it as UNSUPPORTED_VERSION, not BAD_FRAME', async () => {
    const current = await listen(peerCodec);
    const conn = await dial(peerCodec, { ...current, keyPair: dialer(), remotePublicKey: current.publicKey });
    await expect.poll(() => current.accepted.length).toBe(1);
    const theirs = current.accepted[0]!;
    const closed = new Promise<string>((r) => theirs.once('close', r));
    conn.stream.write(Buffer.from(JSON.stringify({ v: 3, t: 'bye', reason: 'X' })));
    expect(await closed).toBe('UNSUPPORTED_VERSION');
  });

  it('a relay refuses a client of another relay protocol version before any frame reaches it', async () => {
    const relay = await startRelay(HOST);
    const { host, port } = relay.address();
    const err = await failure(
      dial(release(relayClientCodec, { family: 'relay', min: 5, max: 5 }), { host, port, keyPair: dialer(), remotePublicKey: relay.publicKey }),
    );
    expect(TransportError.is(err) && err.code).toBe('INCOMPATIBLE_RELEASE');
    expect((err as Error).message).toMatch(/older Parley release/);
    expect(relay.metrics().connections.accepted).toBe(0);
    expect(relay.metrics().framesIn).toEqual({});
  });

  it('a preamble of the wrong family is refused', async () => {
    const current = await listen(peerCodec);
    const err = await failure(
      dial(release(peerCodec, { family: 'relay', min: 1, max: 1 }), { ...current, keyPair: dialer(), remotePublicKey: current.publicKey }),
    );
    expect(TransportError.is(err) && err.code).toBe('INCOMPATIBLE_RELEASE');
  });
});
