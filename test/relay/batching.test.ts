import { afterEach, describe, expect, it } from 'vitest';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { dial } from '../../src/transport/index.js';
import { batchFrames } from '../../src/transport/batch.js';
import { relayClientCodec, type RelayToClient } from '../../src/wire/relay-frames.js';
import { until } from '../helpers/until.js';
import { cleanup, clientOf, nextMail, startRelay } from './helpers.js';

const RELAY = '127.0.0.95';
const CLIENT = '127.0.0.96';

afterEach(cleanup);

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'stored',
    (e: unknown) => (e as { code?: string }).code ?? String(e),
  );

describe('relay frames in batches, sends answered cumulatively', () => {
  it('answers 50 sends of one turn with one accepted, and each send refused in between with its own error', async () => {
    const relay = await startRelay(RELAY);
    const bob = await clientOf(relay, CLIENT);
    const alice = await clientOf(relay, CLIENT);
    const mailbox = await bob.registerMailbox(randomBytes(32));
    const unknown = randomBytes(32).toString('base64');

    const before = relay.metrics().framesOut.accepted ?? 0;
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome(alice.send(mailbox, Buffer.from(`m${i}`)))));
    expect(all).toEqual(Array(50).fill('stored'));
    expect((relay.metrics().framesOut.accepted ?? 0) - before).toBe(1);

    // In one turn: refused sends between stored ones. Each promise must tell its own truth, so
    // an error may never arrive after the accepted that covers the sends behind it.
    const plan = ['ok', 'bad', 'ok', 'ok', 'bad', 'bad', 'ok'];
    const got = await Promise.all(plan.map((p, i) => outcome(alice.send(p === 'ok' ? mailbox : unknown, Buffer.from(`n${i}`)))));
    expect(got).toEqual(plan.map((p) => (p === 'ok' ? 'stored' : 'UNKNOWN_MAILBOX')));
    const stored = await bob.fetch(mailbox);
    expect(stored.map((m) => m.bytes.toString())).toEqual([...Array.from({ length: 50 }, (_, i) => `m${i}`), 'n0', 'n2', 'n3', 'n6']);
  });

  it('delivers what a batch held before a malformed frame, then closes that connection alone as BAD_FRAME', async () => {
    const relay = await startRelay(RELAY);
    const bob = await clientOf(relay, CLIENT);
    const secret = randomBytes(32);
    const mailbox = await bob.registerMailbox(secret);
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const conn = await dial(relayClientCodec, { ...relay.address(), remotePublicKey: relay.publicKey, keyPair, localAddress: CLIENT });
    const frames: RelayToClient[] = [];
    conn.on('frame', (f: RelayToClient) => frames.push(f));
    const gone = new Promise((resolve) => conn.once('close', resolve));
    const mail = nextMail(bob);
    const good = relayClientCodec.encode({ v: 2, t: 'send', id: 1, mailbox, bytes: Buffer.from('first') });
    const cut = relayClientCodec.encode({ v: 2, t: 'send', id: 2, mailbox, bytes: Buffer.from('second') }).subarray(0, 20);
    conn.stream.write(batchFrames([good, cut]));
    expect((await mail).bytes.toString()).toBe('first');
    await gone;
    await until(
      () => relay.metrics().disconnects.BAD_FRAME === 1,
      () => `a BAD_FRAME disconnect (${JSON.stringify(relay.metrics().disconnects)})`,
    );
    // A batch whose lengths do not add up is malformed too; the relay goes on serving others.
    const conn2 = await dial(relayClientCodec, { ...relay.address(), remotePublicKey: relay.publicKey, keyPair, localAddress: CLIENT });
    const gone2 = new Promise((resolve) => conn2.once('close', resolve));
    conn2.stream.write(Buffer.concat([batchFrames([good]).subarray(0, 3), Buffer.from('short')]));
    await gone2;
    await until(() => relay.metrics().disconnects.BAD_FRAME === 2, 'a second BAD_FRAME disconnect');
    expect((await bob.fetch(mailbox)).map((m) => m.bytes.toString())).toEqual(['first']);
    expect(bob.connected).toBe(true);
  });
});
