import { isIP } from 'node:net';
import { z } from 'zod';
import { b64 } from './bytes.js';
import { BinaryFrames, mixedCodec, type BinaryFrameOf, type BinaryFrameSpec } from './binary-frames.js';
import { jsonCodec, type FrameCodec } from './json-codec.js';
import type { Speaks } from './versions.js';
import { ClientToRelayDhtGet, ClientToRelayDhtPut, RelayToClientDhtFound, RelayToClientDhtStored } from './exit-frames.js';

/*
 * Relay protocol: frames between a client and a relay inside a Noise IK stream to the relay's
 * published key. The client presents a fresh key per relay, never its identity. Every frame starts
 * with the protocol version, then its type. Requests carry `id`; the answer repeats it.
 *
 * Two encodings share one stream (wire/binary-frames.ts tells them apart by the first byte):
 *  - the frames that carry bytes (send, mail, blob-put, blob, circuit-data) are binary: version byte,
 *    type code, fixed-size and length-prefixed fields; no base64, no JSON;
 *  - every other frame is a control frame: JSON `{v, t, ...}` checked by a zod schema.
 *
 * Protocol flow:
 *   mailbox owner (holds a 32-byte secret; mailbox id = hash('parley/mailbox/1', secret))
 *     C -> R  register {id, secret}            R keeps only the id; this connection becomes the owner
 *     R -> C  registered {id, mailbox}
 *   sender (anyone who knows the mailbox id)
 *     C -> R  send {id, mailbox, bytes}        R stores the ciphertext until acked or its TTL ends
 *     R -> C  accepted {id}                    cumulative: every send of this connection up to and
 *                                              including request `id` that was not answered by an
 *                                              error is stored (one per event-loop turn, not per send;
 *                                              an error for a send always precedes the accepted
 *                                              that follows it). Says nothing about the owner.
 *     R -> O  mail {mailbox, item, bytes}      pushed at once when the owner is connected
 *   owner catching up (items stay stored until acked, so a push lost in flight is fetched again)
 *     O -> R  fetch {id, mailbox, after?}      items with item number > after, oldest first
 *     R -> O  mail {mailbox, item, bytes, req} ... then fetched {id, more}
 *     O -> R  ack {id, mailbox, items}  ->  R -> O  acked {id, count}
 *   blobs (blob id = hash('parley/blob/1', secret): only the secret holder writes, anyone reads)
 *     C -> R  blob-put {id, secret, bytes}  ->  blob-stored {id, blob}
 *     C -> R  blob-get {id, blob}           ->  blob {id, bytes}   (or error NOT_FOUND)
 *   circuits (telescoping; inner bytes are a second Noise IK stream, to relay 2's key)
 *     C -> R1 circuit-open {id, c, host, port, key}  key: relay 2's Noise key. R1 first checks that a
 *                                          relay descriptor (DHT, or its operator's list) puts that
 *                                          key at host:port and completes a handshake of its own
 *                                          with it; only then does it connect the circuit
 *     R1 -> C circuit-opened {id, c}
 *     C <-> R1 circuit-data {c, bytes}         R1 splices them to / from its TCP socket to R2
 *     C <-> R1 circuit-close {c, reason}       either side ends circuit c
 *   DHT exit (dht-get, dht-put through a circuit): see exit-frames.ts
 *   Any request may be answered by error {id, code} instead. An error without id concerns the
 *   whole connection (FLOOD, SHUTDOWN, ...) and precedes its close.
 *
 * Fields:
 *   id        request id chosen by the client, 1..2^32-1; c: circuit number chosen by the client
 *   mailbox   / blob: 32-byte id (base64, 44 chars, in frames as decoded and in JSON; 32 raw bytes
 *             in binary frames); secret / key: 32 bytes (base64 in JSON)
 *   bytes     opaque ciphertext; item: per-mailbox item number assigned by the relay
 *   host      an IP literal (no names: the relay checks exactly what it connects to)
 *   code / reason: short upper-case machine-readable codes
 *
 * Binary frames (layout in wire/binary-frames.ts), type code and fields:
 *   1 send         id u32, mailbox id32, bytes (1..MAX_MAIL_BYTES)            C -> R
 *   2 blob-put     id u32, secret key32, bytes (1..MAX_BLOB_BYTES)            C -> R
 *   3 circuit-data c u32 (1..2^31), bytes (1..MAX_CIRCUIT_CHUNK)              both ways
 *   4 mail         mailbox id32, item u53, req opt32, bytes (1..MAX_MAIL_BYTES) R -> C
 *   5 blob         id u32, bytes (1..MAX_BLOB_BYTES)                          R -> C
 *
 * Adding a control frame (JSON): define its zod object with `v: relayV` and its own `t` (in its
 * own file if you like), and add it to CLIENT_CONTROL or RELAY_CONTROL below; then handle it
 * (relay/handlers.ts or relay/client.ts) and add a golden vector. No version bump is needed for a
 * frame the other side may ignore; a frame it must understand needs one.
 *
 * Version 2 (binary bytes-carrying frames, cumulative `accepted`) does not talk to version 1: the
 * version preamble tells both sides so before any frame.
 */
export const RELAY_PROTOCOL_VERSION = 2;
/** Largest mail item the protocol carries (a `mail` frame with it stays under MAX_FRAME_BYTES). */
export const MAX_MAIL_BYTES = 46 * 1024;
/** Largest blob the protocol carries: a prekey bundle with a Kyber key is about 2.5 KB. */
export const MAX_BLOB_BYTES = 8 * 1024;
/** Largest slice of circuit bytes per frame. */
export const MAX_CIRCUIT_CHUNK = 32 * 1024;
export const MAX_ACK_ITEMS = 256;
const MAX_REQUEST_ID = 2 ** 32 - 1;
const MAX_CIRCUIT = 2 ** 31;

/** The version field of every control frame. */
export const relayV = z.literal(RELAY_PROTOCOL_VERSION);
const v = relayV;
const id = z.number().int().min(1).max(MAX_REQUEST_ID);
const circuit = z.number().int().min(1).max(MAX_CIRCUIT);
const item = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const code = z.string().regex(/^[A-Z][A-Z0-9_]{0,47}$/);
/** A 32-byte identifier in standard base64: how mailbox and blob ids travel and are stored. */
export const Id32 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
export const IpHost = z
  .string()
  .max(45)
  .refine((h) => isIP(h) !== 0, 'not an IP address');
export const Port = z.number().int().min(1).max(65535);

export const ClientToRelayRegister = z.object({ v, t: z.literal('register'), id, secret: b64(32, 32) }).strict();
export const ClientToRelayFetch = z.object({ v, t: z.literal('fetch'), id, mailbox: Id32, after: item.optional() }).strict();
export const ClientToRelayAck = z.object({ v, t: z.literal('ack'), id, mailbox: Id32, items: z.array(item).min(1).max(MAX_ACK_ITEMS) }).strict();
export const ClientToRelayBlobGet = z.object({ v, t: z.literal('blob-get'), id, blob: Id32 }).strict();
export const ClientToRelayCircuitOpen = z.object({ v, t: z.literal('circuit-open'), id, c: circuit, host: IpHost, port: Port, key: b64(32, 32) }).strict();
export const CircuitClose = z.object({ v, t: z.literal('circuit-close'), c: circuit, reason: code }).strict();

export const RelayToClientRegistered = z.object({ v, t: z.literal('registered'), id, mailbox: Id32 }).strict();
export const RelayToClientAccepted = z.object({ v, t: z.literal('accepted'), id }).strict();
export const RelayToClientFetched = z.object({ v, t: z.literal('fetched'), id, more: z.boolean() }).strict();
export const RelayToClientAcked = z.object({ v, t: z.literal('acked'), id, count: z.number().int().min(0).max(MAX_ACK_ITEMS) }).strict();
export const RelayToClientBlobStored = z.object({ v, t: z.literal('blob-stored'), id, blob: Id32 }).strict();
export const RelayToClientCircuitOpened = z.object({ v, t: z.literal('circuit-opened'), id, c: circuit }).strict();
export const RelayToClientError = z.object({ v, t: z.literal('error'), id: id.optional(), code }).strict();

/** The JSON control frames a client sends: add a new one here. */
const CLIENT_CONTROL = [
  ClientToRelayRegister,
  ClientToRelayFetch,
  ClientToRelayAck,
  ClientToRelayBlobGet,
  ClientToRelayCircuitOpen,
  CircuitClose,
  ClientToRelayDhtGet,
  ClientToRelayDhtPut,
] as const;
/** The JSON control frames a relay sends: add a new one here. */
const RELAY_CONTROL = [
  RelayToClientRegistered,
  RelayToClientAccepted,
  RelayToClientFetched,
  RelayToClientAcked,
  RelayToClientBlobStored,
  RelayToClientCircuitOpened,
  RelayToClientError,
  CircuitClose,
  RelayToClientDhtFound, // DHT exit: exit-frames.ts
  RelayToClientDhtStored,
] as const;
export const ClientToRelayControl = z.discriminatedUnion('t', [...CLIENT_CONTROL]);
export const RelayToClientControl = z.discriminatedUnion('t', [...RELAY_CONTROL]);

/*
 * Binary frames: each spec below is the frame's one definition, its layout on the wire and its
 * TypeScript type (BinaryFrameOf). `B` is Buffer as decoded, any Uint8Array as a sender builds them.
 */
const SEND = {
  t: 'send',
  code: 1,
  fields: [
    { name: 'id', kind: 'u32' },
    { name: 'mailbox', kind: 'id32' },
    { name: 'bytes', kind: 'bytes', min: 1, max: MAX_MAIL_BYTES },
  ],
} as const satisfies BinaryFrameSpec;
const BLOB_PUT = {
  t: 'blob-put',
  code: 2,
  fields: [
    { name: 'id', kind: 'u32' },
    { name: 'secret', kind: 'key32' },
    { name: 'bytes', kind: 'bytes', min: 1, max: MAX_BLOB_BYTES },
  ],
} as const satisfies BinaryFrameSpec;
const CIRCUIT_DATA = {
  t: 'circuit-data',
  code: 3,
  fields: [
    { name: 'c', kind: 'u32', max: MAX_CIRCUIT },
    { name: 'bytes', kind: 'bytes', min: 1, max: MAX_CIRCUIT_CHUNK },
  ],
} as const satisfies BinaryFrameSpec;
const MAIL = {
  t: 'mail',
  code: 4,
  fields: [
    { name: 'mailbox', kind: 'id32' },
    { name: 'item', kind: 'u53' },
    { name: 'req', kind: 'opt32' },
    { name: 'bytes', kind: 'bytes', min: 1, max: MAX_MAIL_BYTES },
  ],
} as const satisfies BinaryFrameSpec;
const BLOB = {
  t: 'blob',
  code: 5,
  fields: [
    { name: 'id', kind: 'u32' },
    { name: 'bytes', kind: 'bytes', min: 1, max: MAX_BLOB_BYTES },
  ],
} as const satisfies BinaryFrameSpec;

type V = typeof RELAY_PROTOCOL_VERSION;
export type SendFrame<B extends Uint8Array = Buffer> = BinaryFrameOf<typeof SEND, V, B>;
export type BlobPutFrame<B extends Uint8Array = Buffer> = BinaryFrameOf<typeof BLOB_PUT, V, B>;
export type CircuitDataFrame<B extends Uint8Array = Buffer> = BinaryFrameOf<typeof CIRCUIT_DATA, V, B>;
export type MailFrame<B extends Uint8Array = Buffer> = BinaryFrameOf<typeof MAIL, V, B>;
export type BlobFrame<B extends Uint8Array = Buffer> = BinaryFrameOf<typeof BLOB, V, B>;
export type CircuitCloseFrame = z.infer<typeof CircuitClose>;

export type ClientToRelay = z.infer<typeof ClientToRelayControl> | SendFrame | BlobPutFrame | CircuitDataFrame;
export type RelayToClient = z.infer<typeof RelayToClientControl> | MailFrame | BlobFrame | CircuitDataFrame;
/** What a sender builds: control frames' byte fields as base64 text (`toB64`), binary frames' as bytes. */
export type ClientToRelayOut = z.input<typeof ClientToRelayControl> | SendFrame<Uint8Array> | BlobPutFrame<Uint8Array> | CircuitDataFrame<Uint8Array>;
export type RelayToClientOut = z.input<typeof RelayToClientControl> | MailFrame<Uint8Array> | BlobFrame<Uint8Array> | CircuitDataFrame<Uint8Array>;

/** Every frame type of each direction (golden vectors hold one of each). */
export const CLIENT_TO_RELAY_TYPES = [...CLIENT_CONTROL.map((s) => s.shape.t.value), SEND.t, BLOB_PUT.t, CIRCUIT_DATA.t];
export const RELAY_TO_CLIENT_TYPES = [...RELAY_CONTROL.map((s) => s.shape.t.value), MAIL.t, BLOB.t, CIRCUIT_DATA.t];

export const RELAY_SPEAKS: Speaks = { family: 'relay', min: RELAY_PROTOCOL_VERSION, max: RELAY_PROTOCOL_VERSION };
const clientToRelay = mixedCodec<ClientToRelayOut, ClientToRelay>(
  jsonCodec(ClientToRelayControl, undefined, RELAY_SPEAKS),
  new BinaryFrames(RELAY_PROTOCOL_VERSION, [SEND, BLOB_PUT, CIRCUIT_DATA]),
  RELAY_SPEAKS,
);
const relayToClient = mixedCodec<RelayToClientOut, RelayToClient>(
  jsonCodec(RelayToClientControl, undefined, RELAY_SPEAKS),
  new BinaryFrames(RELAY_PROTOCOL_VERSION, [MAIL, BLOB, CIRCUIT_DATA]),
  RELAY_SPEAKS,
);
/** The relay's side: reads ClientToRelay, writes RelayToClient. */
export const relayServerCodec: FrameCodec<RelayToClientOut, ClientToRelay> = {
  encode: relayToClient.encode,
  decode: clientToRelay.decode,
  speaks: RELAY_SPEAKS,
  batched: true,
};
/** The client's side: reads RelayToClient, writes ClientToRelay. */
export const relayClientCodec: FrameCodec<ClientToRelayOut, RelayToClient> = {
  encode: clientToRelay.encode,
  decode: relayToClient.decode,
  speaks: RELAY_SPEAKS,
  batched: true,
};
