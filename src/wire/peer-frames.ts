import { z } from 'zod';
import { BinaryFrames, mixedCodec, type BinaryFrameSpec } from './binary-frames.js';
import { b64 } from './bytes.js';
import { CHUNK_OVERHEAD, FILE_CHUNK_BYTES } from './file-content.js';
import { jsonCodec, type FrameCodec } from './json-codec.js';
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
 *
 * One binary frame (layout in wire/binary-frames.ts; told apart from JSON by its first byte) carries
 * a file's bytes outside Signal, on a direct link or sealed to the recipient in their relay mailbox:
 *   1 file-chunk  x hex16 (the transfer id the Signal offer named), i u32 (0..n-1: chunk index),
 *                 d bytes (17..FILE_CHUNK_BYTES+17: chunk i's secretstream ciphertext)
 * It needs no Signal: only the holder of the file key (sent in the offer, end to end) can make a
 * chunk that opens, the stream keeps them in order and the FINAL tag ends it; a chunk of another
 * file, another index or changed on the way does not open and is refused (node/files-receive.ts).
 *
 * Versions (the preamble of wire/versions.ts says which a link speaks; a frame carries the version
 * its layout came in):
 *   1  the JSON frames above (their `v` stays 1)
 *   2  adds the binary file-chunk frame (its version byte is 2). A release that speaks only 1 closes
 *      a link on it, so a node sends file-chunk frames on a direct link only when the link opened
 *      at 2 or more (node/router.ts `sendChunk`); otherwise the chunks go through the recipient's
 *      relay mailbox, where the route allows, or the transfer waits saying why.
 */
export const PROTOCOL_VERSION = 1;
/** The peer version that brought the file-chunk frame: a link below it never carries one. */
export const FILE_CHUNK_VERSION = 2;

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

/** The JSON frames (the binary one is FileChunkFrame). */
export const PeerFrame = z.discriminatedUnion('t', [BundleRequest, BundleResponse, Envelope, Bye]);

export interface FileChunkFrame<B extends Uint8Array = Buffer> {
  v: typeof FILE_CHUNK_VERSION;
  t: 'file-chunk';
  x: string;
  i: number;
  d: B;
}
export type PeerFrame = z.infer<typeof PeerFrame> | FileChunkFrame;
/** What a sender builds: JSON frames' bytes as base64 text (`toB64`), the binary frame's as bytes. */
export type PeerFrameOut = z.input<typeof PeerFrame> | FileChunkFrame<Uint8Array>;

const FILE_CHUNK: BinaryFrameSpec = {
  t: 'file-chunk',
  code: 1,
  fields: [
    { name: 'x', kind: 'hex16' },
    { name: 'i', kind: 'u32', min: 0 },
    { name: 'd', kind: 'bytes', min: CHUNK_OVERHEAD, max: FILE_CHUNK_BYTES + CHUNK_OVERHEAD },
  ],
};
/** Every binary frame type (golden vectors hold one of each). */
export const PEER_BINARY_TYPES = [FILE_CHUNK.t];

export const PEER_SPEAKS: Speaks = { family: 'peer', min: PROTOCOL_VERSION, max: FILE_CHUNK_VERSION };
/** The versions a JSON frame's `v` may hold (their layout has not changed since 1). */
const PEER_JSON_SPEAKS: Speaks = { family: 'peer', min: PROTOCOL_VERSION, max: PROTOCOL_VERSION };
export const peerCodec: FrameCodec<PeerFrameOut, PeerFrame> = mixedCodec(
  jsonCodec(PeerFrame, undefined, PEER_JSON_SPEAKS),
  new BinaryFrames(FILE_CHUNK_VERSION, [FILE_CHUNK]),
  PEER_SPEAKS,
);
