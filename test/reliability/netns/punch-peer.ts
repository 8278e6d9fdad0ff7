// One person of a hole punch, run inside its network namespace by nat-punch.test.ts and bench/nat.ts:
//   punch-peer.ts <initiator|responder> <bind-host> <relay host:port>...
// Prints {candidates, publicKey}; reads {theirs, theirKey, punchId} (one JSON line) on stdin; punches;
// on success sends one frame and waits for the other's; prints {ok, ms | code, message}; exits.
import { createInterface } from 'node:readline';
import UDX from 'udx-native';
import { Ed25519KeyPair, randomBytes } from '../../../src/identity/index.js';
import { learnMapping, punch, TransportError, type PunchCandidates } from '../../../src/transport/index.js';
import { peerCodec, type PeerFrame } from '../../../src/wire/peer-frames.js';

const [role, bindHost, ...relayArgs] = process.argv.slice(2);
if ((role !== 'initiator' && role !== 'responder') || !bindHost || relayArgs.length === 0)
  throw new Error('usage: punch-peer.ts <initiator|responder> <bind-host> <relay host:port>...');
const deadlineMs = Number(process.env.PUNCH_DEADLINE_MS ?? 5_000);
const reflectors = relayArgs.map((a) => ({ host: a.split(':')[0]!, port: Number(a.split(':')[1]) }));
const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
const socket = new UDX().createSocket();
socket.bind(0, bindHost);
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const mapping = await learnMapping(socket, reflectors);
const mine: PunchCandidates = { addresses: [socket.address(), mapping.reflected], kind: mapping.kind, streamId: randomBytes(4).readUInt32BE(0) };
say({ candidates: mine, publicKey: keyPair.publicKey.toString('base64') });

const line = await new Promise<string>((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const peer = JSON.parse(line) as { theirs: PunchCandidates; theirKey: string; punchId: string };
const t0 = performance.now();
if (process.env.PUNCH_DEBUG) console.error(role, 'punching');
try {
  const { connection } = await punch({
    socket,
    isInitiator: role === 'initiator',
    mine,
    theirs: peer.theirs,
    punchId: Buffer.from(peer.punchId, 'hex'),
    codec: peerCodec,
    keyPair,
    remotePublicKey: Buffer.from(peer.theirKey, 'base64'),
    deadlineMs,
  });
  // The initiator speaks first and the responder answers: a frame can only arrive once its
  // receiver has the connection in hand (the responder opens before the initiator can send).
  const got = new Promise<PeerFrame>((resolve) => connection.once('frame', resolve));
  if (role === 'initiator') connection.send({ v: 1, t: 'bundle-req', n: role });
  const frame = await got;
  if (role === 'responder') connection.send({ v: 1, t: 'bundle-req', n: role });
  say({ ok: true, ms: performance.now() - t0, frame });
  // Let the other side's frame leave before closing (its UDX stream acks ours).
  await new Promise((r) => setTimeout(r, 300));
  connection.close();
} catch (err) {
  say({ ok: false, ms: performance.now() - t0, code: TransportError.is(err) ? err.code : 'ERROR', message: (err as Error).message });
}
await socket.close();
process.exit(0);
