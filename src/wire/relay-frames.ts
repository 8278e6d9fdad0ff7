import { isIP } from 'node:net';
import { z } from 'zod';
import { b64 } from './bytes.js';
import { jsonCodec, type FrameCodec } from './json-codec.js';
import type { Speaks } from './versions.js';
import { ClientToRelayDhtGet, ClientToRelayDhtPut, RelayToClientDhtFound, RelayToClientDhtStored } from './exit-frames.js';

/*
 * Relay protocol: frames between a client and a relay inside a Noise IK stream to the relay's
 * published key. The client presents a fresh key per relay, never its identity. Every frame starts
 * with the protocol version `v`, then its type `t`. Requests carry `id`; the answer repeats it.
 *
 * Protocol flow:
 *   mailbox owner (holds a 32-byte secret; mailbox id = hash('parley/mailbox/1', secret))
 *     C -> R  register {id, secret}            R keeps only the id; this connection becomes the owner
 *     R -> C  registered {id, mailbox}
 *   sender (anyone who knows the mailbox id)
 *     C -> R  send {id, mailbox, bytes}        R stores the ciphertext until acked or its TTL ends
 *     R -> C  accepted {id}                    (says nothing about whether the owner is online)
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
 * Frame types and payloads:
 *   id        request id chosen by the client, 1..2^32; c: circuit number chosen by the client
 *   mailbox   / blob: 32-byte id in base64 (44 chars); secret: 32 bytes base64
 *   bytes     opaque ciphertext, base64; item: per-mailbox item number assigned by the relay
 *   host      an IP literal (no names: the relay checks exactly what it connects to)
 *   code / reason: short upper-case machine-readable codes
 */
export const RELAY_PROTOCOL_VERSION = 1;
/** Largest mail item the protocol carries (a `mail` frame with it stays under MAX_FRAME_BYTES). */
export const MAX_MAIL_BYTES = 46 * 1024;
/** Largest blob the protocol carries: a prekey bundle with a Kyber key is about 2.5 KB. */
export const MAX_BLOB_BYTES = 8 * 1024;
/** Largest slice of circuit bytes per frame. */
export const MAX_CIRCUIT_CHUNK = 32 * 1024;
export const MAX_ACK_ITEMS = 256;

const v = z.literal(RELAY_PROTOCOL_VERSION);
const id = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32);
const circuit = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31);
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
export const ClientToRelaySend = z.object({ v, t: z.literal('send'), id, mailbox: Id32, bytes: b64(1, MAX_MAIL_BYTES) }).strict();
export const ClientToRelayFetch = z.object({ v, t: z.literal('fetch'), id, mailbox: Id32, after: item.optional() }).strict();
export const ClientToRelayAck = z.object({ v, t: z.literal('ack'), id, mailbox: Id32, items: z.array(item).min(1).max(MAX_ACK_ITEMS) }).strict();
export const ClientToRelayBlobPut = z.object({ v, t: z.literal('blob-put'), id, secret: b64(32, 32), bytes: b64(1, MAX_BLOB_BYTES) }).strict();
export const ClientToRelayBlobGet = z.object({ v, t: z.literal('blob-get'), id, blob: Id32 }).strict();
export const ClientToRelayCircuitOpen = z.object({ v, t: z.literal('circuit-open'), id, c: circuit, host: IpHost, port: Port, key: b64(32, 32) }).strict();
export const CircuitData = z.object({ v, t: z.literal('circuit-data'), c: circuit, bytes: b64(1, MAX_CIRCUIT_CHUNK) }).strict();
export const CircuitClose = z.object({ v, t: z.literal('circuit-close'), c: circuit, reason: code }).strict();

export const RelayToClientRegistered = z.object({ v, t: z.literal('registered'), id, mailbox: Id32 }).strict();
export const RelayToClientAccepted = z.object({ v, t: z.literal('accepted'), id }).strict();
export const RelayToClientMail = z.object({ v, t: z.literal('mail'), mailbox: Id32, item, bytes: b64(1, MAX_MAIL_BYTES), req: id.optional() }).strict();
export const RelayToClientFetched = z.object({ v, t: z.literal('fetched'), id, more: z.boolean() }).strict();
export const RelayToClientAcked = z.object({ v, t: z.literal('acked'), id, count: z.number().int().min(0).max(MAX_ACK_ITEMS) }).strict();
export const RelayToClientBlobStored = z.object({ v, t: z.literal('blob-stored'), id, blob: Id32 }).strict();
export const RelayToClientBlob = z.object({ v, t: z.literal('blob'), id, bytes: b64(1, MAX_BLOB_BYTES) }).strict();
export const RelayToClientCircuitOpened = z.object({ v, t: z.literal('circuit-opened'), id, c: circuit }).strict();
export const RelayToClientError = z.object({ v, t: z.literal('error'), id: id.optional(), code }).strict();

export const ClientToRelay = z.discriminatedUnion('t', [
  ClientToRelayRegister,
  ClientToRelaySend,
  ClientToRelayFetch,
  ClientToRelayAck,
  ClientToRelayBlobPut,
  ClientToRelayBlobGet,
  ClientToRelayCircuitOpen,
  CircuitData,
  CircuitClose,
  ClientToRelayDhtGet, // DHT exit: exit-frames.ts
  ClientToRelayDhtPut,
]);
export const RelayToClient = z.discriminatedUnion('t', [
  RelayToClientRegistered,
  RelayToClientAccepted,
  RelayToClientMail,
  RelayToClientFetched,
  RelayToClientAcked,
  RelayToClientBlobStored,
  RelayToClientBlob,
  RelayToClientCircuitOpened,
  RelayToClientError,
  CircuitData,
  CircuitClose,
  RelayToClientDhtFound, // DHT exit: exit-frames.ts
  RelayToClientDhtStored,
]);
export type ClientToRelay = z.infer<typeof ClientToRelay>;
export type RelayToClient = z.infer<typeof RelayToClient>;
/** What a sender builds: byte fields as base64 text (`toB64`). */
export type ClientToRelayOut = z.input<typeof ClientToRelay>;
export type RelayToClientOut = z.input<typeof RelayToClient>;

export const RELAY_SPEAKS: Speaks = { family: 'relay', min: RELAY_PROTOCOL_VERSION, max: RELAY_PROTOCOL_VERSION };
const clientToRelay = jsonCodec(ClientToRelay, undefined, RELAY_SPEAKS);
const relayToClient = jsonCodec(RelayToClient, undefined, RELAY_SPEAKS);
/** The relay's side: reads ClientToRelay, writes RelayToClient. */
export const relayServerCodec: FrameCodec<RelayToClientOut, ClientToRelay> = {
  encode: relayToClient.encode,
  decode: clientToRelay.decode,
  speaks: RELAY_SPEAKS,
};
/** The client's side: reads RelayToClient, writes ClientToRelay. */
export const relayClientCodec: FrameCodec<ClientToRelayOut, RelayToClient> = {
  encode: clientToRelay.encode,
  decode: relayToClient.decode,
  speaks: RELAY_SPEAKS,
};
