/*
 * Writes frames.vectors.json: the golden encoding of one frame of every type of every family. Run it
 * (`npx tsx test/wire/make-vectors.ts`) only when a wire change is meant, and bump that family's
 * version in the same commit: frames.test replays the file, so any other change to an encoding fails.
 */
import { writeFileSync } from 'node:fs';
import { encodeIntroValue } from '../../src/dht/intro-codec.js';
import { rendezvousSlot, sealRendezvous } from '../../src/dht/rendezvous-record.js';
import { SecretKey, type ParleyId } from '../../src/identity/index.js';
import { contentCodec } from '../../src/wire/content.js';
import { peerCodec } from '../../src/wire/peer-frames.js';
import { relayClientCodec, relayServerCodec } from '../../src/wire/relay-frames.js';
import { encodePreamble } from '../../src/wire/versions.js';
import { jsonSafe, VECTOR_FRAMES, type Vectors } from './vector-frames.js';

const b = (n: number, fill: number) => Buffer.alloc(n, fill);
const rv = { from: 'ybndrfg8ejkmcpqxot1uwisza345h769ybndrfg8ejkmcpqxot1u', to: 'fj7t79pixpkfjcfox51qoqf5qz8fpug4puocmdgttf6yn8zmmp9y', day: 20_500 };
const rvSlot = rendezvousSlot(new SecretKey(b(32, 6)), rv.from as ParleyId, rv.to as ParleyId, rv.day);
const out: Vectors = {
  peer: VECTOR_FRAMES.peer.map((frame) => ({ frame, wire: peerCodec.encode(frame).toString('utf8') })),
  peerBinary: VECTOR_FRAMES.peerBinary.map((frame) => ({ frame: jsonSafe(frame), hex: peerCodec.encode(frame).toString('hex') })),
  clientToRelay: VECTOR_FRAMES.clientToRelay.map((frame) => ({ frame: jsonSafe(frame), hex: relayClientCodec.encode(frame).toString('hex') })),
  relayToClient: VECTOR_FRAMES.relayToClient.map((frame) => ({ frame: jsonSafe(frame), hex: relayServerCodec.encode(frame).toString('hex') })),
  content: VECTOR_FRAMES.content.map((frame) => ({ frame, wire: contentCodec.encode(frame).toString('utf8') })),
  preamble: [
    { family: 'peer', min: 1, max: 1, hex: encodePreamble({ family: 'peer', min: 1, max: 1 }).toString('hex') },
    { family: 'peer', min: 1, max: 2, hex: encodePreamble({ family: 'peer', min: 1, max: 2 }).toString('hex') },
    { family: 'relay', min: 1, max: 3, hex: encodePreamble({ family: 'relay', min: 1, max: 3 }).toString('hex') },
    { family: 'relay', min: 2, max: 2, hex: encodePreamble({ family: 'relay', min: 2, max: 2 }).toString('hex') },
  ],
  intro: {
    hex: encodeIntroValue({
      signalIdentityKey: Buffer.concat([Buffer.from([5]), b(32, 1)]),
      binding: b(64, 2),
      transportKey: b(32, 3),
      endpoint: '192.0.2.7:4040',
      relay: b(40, 4),
      expiresAt: 1_800_000_000,
    }).toString('hex'),
  },
  rendezvous: {
    secret: b(32, 6).toString('hex'),
    ...rv,
    nonce: b(24, 8).toString('hex'),
    publicKey: rvSlot.keyPair.publicKey.toString('hex'),
    salt: rvSlot.salt.toString('hex'),
    value: sealRendezvous(rvSlot, { relay: b(40, 4), endpoint: '192.0.2.7:4040', transportKey: b(32, 3), expiresAt: 1_800_000_000 }, b(24, 8)).toString('hex'),
  },
};
writeFileSync(new URL('./frames.vectors.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
