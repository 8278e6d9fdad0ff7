/**
 * The durable limit of a direct round trip, its parts measured in the same run as the round trip
 * (issue 14): two fsync'd SQLite commits (the sender's outbox row, the receiver's message), two
 * libsignal encrypt + decrypt pairs (the message, the receipt) and one Noise round trip on loopback.
 * Nothing a design that stores before it acknowledges can do without.
 */
import { join } from 'node:path';
import { E2E } from '../src/e2e/index.js';
import { Ed25519KeyPair, Identity, randomBytes } from '../src/identity/index.js';
import { openDb, setKv, writeTx } from '../src/store/index.js';
import { dial, Listener, type Connection } from '../src/transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../src/wire/peer-frames.js';
import { ms, summarize } from './stats.js';

export interface Limit {
  commitMs: number;
  /** A commit rewriting one of 50 rows (what the limit counted before): no new row, a cheaper fsync. */
  rewriteMs: number;
  pairMs: number;
  noiseMs: number;
  limitMs: number;
}

async function samples(n: number, fn: () => Promise<void> | void): Promise<number> {
  for (let i = 0; i < 10; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(ms(s));
  }
  return summarize(t).median;
}

export async function durableLimit(root: string, n = 300, size = 200): Promise<Limit> {
  // One commit, synchronous = FULL in WAL, as the store opens every database, storing a new row of
  // `size` bytes: what storing a message is. (Rewriting one of a few rows, as this measured first,
  // fsyncs far faster on this disk, ~0.03 ms against ~0.5: it stores nothing new; shown beside.)
  const db = openDb(join(root, 'limit.db'));
  let k = 0;
  const commitMs = await samples(n, () => writeTx(db, () => setKv(db, `new${k++}`, 'x'.repeat(size))));
  const rewriteMs = await samples(n, () => writeTx(db, () => setKv(db, `k${k++ % 50}`, 'x'.repeat(size))));
  db.close();

  // A libsignal pair: encrypt at one end, decrypt at the other, turns alternating (ratchet steps
  // included as in a conversation); stores in memory so no commit is counted twice.
  const a = { identity: Identity.generate(), db: openDb(':memory:') };
  const b = { identity: Identity.generate(), db: openDb(':memory:') };
  const ea = new E2E(a);
  const eb = new E2E(b);
  await ea.startSession(b.identity.id, await eb.createBundle());
  const text = Buffer.alloc(size, 7);
  let turn = 0;
  const pairMs = await samples(n, async () => {
    const [from, to, fromE, toE] = turn++ % 2 ? [b, a, eb, ea] : [a, b, ea, eb];
    const env = await fromE.encrypt(to.identity.id, text);
    await toE.decrypt(from.identity.id, env.kind, env.body, env.kind === 'prekey' ? from.identity.binding : undefined);
  });

  // One Noise round trip: a frame out, a frame back, over the transport Parley uses.
  const keys = () => Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
  const server = keys();
  const listener = new Listener<PeerFrameOut, PeerFrame>(peerCodec, { host: '127.0.0.1', keyPair: server }, (conn) => {
    conn.on('frame', (f: PeerFrame) => {
      if (f.t === 'bundle-req') conn.send({ v: 1, t: 'bundle', n: f.n, bundle: {} });
    });
  });
  await listener.start();
  const conn: Connection<PeerFrameOut, PeerFrame> = await dial(peerCodec, { ...listener.address(), remotePublicKey: server.publicKey, keyPair: keys() });
  let i = 0;
  const noiseMs = await samples(
    n,
    () =>
      new Promise<void>((resolve) => {
        conn.once('frame', () => resolve());
        conn.send({ v: 1, t: 'bundle-req', n: `r${i++}` });
      }),
  );
  conn.close('BENCH_DONE');
  await listener.stop();
  return { commitMs, rewriteMs, pairMs, noiseMs, limitMs: 2 * commitMs + 2 * pairMs + noiseMs };
}
