import { afterEach, describe, expect, it } from 'vitest';
import { dial, Listener, TransportError, type Connection } from '../../src/transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';

type Conn = Connection<PeerFrameOut, PeerFrame>;
const keys = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();

let listener: Listener<PeerFrameOut, PeerFrame> | null = null;
afterEach(async () => {
  await listener?.stop();
  listener = null;
});

describe('a listener that admits initiators by their key', () => {
  it('answers an admitted key and gives a refused one no reply at all, as if it had the wrong key', async () => {
    const server = keys();
    const friend = keys();
    const refusedKey = keys();
    const rejected: string[] = [];
    const opened: Conn[] = [];
    listener = new Listener(
      peerCodec,
      {
        host: '127.0.0.22',
        keyPair: server,
        admitRemote: (k) => !k.equals(refusedKey.publicKey),
        onRejected: (r) => rejected.push(r),
      },
      (conn: Conn) => opened.push(conn),
    );
    await listener.start();
    const { host, port } = listener.address();

    const ok: Conn = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: friend });
    expect(ok.opened).toBe(true);
    ok.close();

    const err = await dial(peerCodec, { host, port, remotePublicKey: server.publicKey, keyPair: refusedKey }).catch((e) => e);
    expect(TransportError.is(err)).toBe(true);
    expect(err.code).toMatch(/HANDSHAKE_FAILED|CLOSED/);
    await expect.poll(() => rejected).toContain('REFUSED');
    expect(opened).toHaveLength(1);
  });
});
