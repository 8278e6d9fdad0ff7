import { z } from 'zod';
import { b64 } from './bytes.js';
import { jsonCodec } from './json-codec.js';
import { MAX_CIPHERTEXT_BYTES } from './limits.js';
import type { Speaks } from './versions.js';

/*
 * Peer protocol: frames between two Parley nodes inside a Noise IK stream (or, later, a relay circuit).
 * Every frame starts with the protocol version `v`, then its type `t`. Frames are symmetric: either
 * side may send any of them.
 *
 * Protocol flow (first contact):
 *   A -> B  bundle-req {n}                 A has no Signal session with B yet
 *   B -> A  bundle {n, bundle}             fresh one-time + Kyber prekeys, bound to B's ID
 *   A -> B  env {from, kind:'prekey', body} PreKeySignalMessage carrying a Signal `Content`
 *   B -> A  env {from, kind:'whisper', body} the end-to-end receipt, itself Signal-encrypted
 * Later messages are `env` frames with kind 'whisper'. `bye {reason}` precedes a deliberate close.
 *
 * Frame types and payloads:
 *   bundle-req  n: request nonce (1..64 chars)
 *   bundle      n: the nonce being answered; bundle: PreKeyBundle JSON (validated by e2e/)
 *   env         from: sender's Parley ID (authenticated only once the body decrypts);
 *               kind: 'prekey' | 'whisper'; body: base64 Signal ciphertext;
 *               bind (prekey only): the sender's identity-key signature over its libsignal identity
 *               key, checked against the PreKeySignalMessage before anything is decrypted or stored
 *   bye         reason: short machine-readable reason
 */
export const PROTOCOL_VERSION = 1;

const v = z.literal(PROTOCOL_VERSION);
const parleyId = z.string().regex(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
const nonce = z.string().min(1).max(64);

export const BundleRequest = z.object({ v, t: z.literal('bundle-req'), n: nonce }).strict();
export const BundleResponse = z.object({ v, t: z.literal('bundle'), n: nonce, bundle: z.record(z.string(), z.unknown()) }).strict();
export const Envelope = z
  .object({
    v,
    t: z.literal('env'),
    from: parleyId,
    kind: z.enum(['prekey', 'whisper']),
    body: b64(1, MAX_CIPHERTEXT_BYTES),
    bind: b64(64, 64).optional(),
  })
  .strict();
export const Bye = z.object({ v, t: z.literal('bye'), reason: z.string().max(64) }).strict();

export const PeerFrame = z.discriminatedUnion('t', [BundleRequest, BundleResponse, Envelope, Bye]);
export type PeerFrame = z.infer<typeof PeerFrame>;
/** What a sender builds: bytes as Buffers are encoded by `toB64` before sending. */
export type PeerFrameOut = z.input<typeof PeerFrame>;

export const PEER_SPEAKS: Speaks = { family: 'peer', min: PROTOCOL_VERSION, max: PROTOCOL_VERSION };
export const peerCodec = jsonCodec(PeerFrame, undefined, PEER_SPEAKS);
