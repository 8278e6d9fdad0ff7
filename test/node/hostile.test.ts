import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { world, received } from '../helpers/people.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { dial } from '../../src/transport/index.js';
import { peerCodec } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { until } from '../helpers/until.js';

async function rawSend(host: string, port: number, bytes: Buffer): Promise<void> {
  const s = connect({ host, port, localAddress: '127.0.0.250' });
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.end(bytes);
  await new Promise((r) => s.once('close', r));
}

describe('a node under hostile input', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.close();
  });

  it('rejects random bytes, oversized and truncated frames with a reason, and keeps serving others', async () => {
    const { logger, lines } = capturingLogger();
    const bob = await w.start('bob', { logger });
    const alice = await w.start('alice');
    alice.addContact(bob.id);
    alice.setVisibility(bob.id, 'direct');
    const { host, port } = bob.address();

    await rawSend(host, port, randomBytes(4096));
    await rawSend(host, port, Buffer.from([0xff, 0xff, 0xff, 1, 2, 3]));
    await until(() => lines.filter((l) => l.includes('rejected a connection')).length >= 2, 'two "rejected a connection" log lines', 5_000);
    expect(lines.join('')).toMatch(/FRAME_TOO_LARGE/);

    // A genuine Noise session that then sends a frame the schema refuses, and one cut short.
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const bad = await dial(peerCodec, { host, port, remotePublicKey: bob.identity.transportKey.publicKey, keyPair });
    bad.stream.write(Buffer.from('{"v":1,"t":"env","from":"x"}'));
    await new Promise((r) => bad.once('close', r));
    await until(() => lines.some((l) => l.includes('BAD_FRAME')), 'a BAD_FRAME log line', 5_000);

    const cut = await dial(peerCodec, { host, port, remotePublicKey: bob.identity.transportKey.publicKey, keyPair });
    const socket = (cut.stream as unknown as { rawStream: import('node:net').Socket }).rawStream;
    socket.write(Buffer.from([100, 0, 0, 1, 2, 3]));
    socket.end();
    await new Promise((r) => cut.once('close', r));

    alice.send(bob.id, 'still there?');
    const got = await received(bob, alice.id, 1);
    expect(got[0]!.body).toBe('still there?');
    // Logs say why, and never carry message text or keys.
    const all = lines.join('');
    expect(all).not.toContain('still there?');
    expect(all).not.toContain(alice.id);
  });
});
