import { z } from 'zod';
import { b64 } from './bytes.js';

/*
 * DHT exit frames: part of the relay protocol (relay-frames.ts takes them into its unions), kept
 * apart because they carry no mailbox bytes. A client asks a relay, through a circuit of another
 * relay, to get or put one BEP44 mutable item for it: the exit relay sees the question but not who
 * asks (it sees the first relay's address), the first relay sees who asks but not the question.
 *
 * Protocol flow (inside the Noise stream to the exit relay, itself inside a circuit):
 *     C -> X  dht-get {id, key, salt}                          X looks the item up in the DHT
 *     X -> C  dht-found {id, rejected, seq?, value?, sig?}     no seq: nobody holds one; the client
 *                                                              verifies the signature itself
 *     C -> X  dht-put {id, key, salt, seq, value, sig}         signed by the client; X checks it first
 *     X -> C  dht-stored {id, nodes}                           how many DHT nodes took it
 *   or error {id, code}: NO_EXIT (this relay runs no DHT), EXIT_BUSY, RATE_LIMITED (per circuit),
 *   BAD_REQUEST (a put its key did not sign), EXIT_STALE_SEQ (the network holds the same or a
 *   higher seq), TOO_LARGE, DHT_FAILED.
 *
 * Payloads: key 32 bytes, salt 0..64 bytes, value 1..1000 bytes (BEP44), sig 64 bytes, all base64;
 * seq a non-negative safe integer; rejected: how many answers failed verification at the exit.
 */
/** The relay protocol's version (RELAY_PROTOCOL_VERSION in relay-frames.ts, which imports this file). */
const v = z.literal(2);
const id = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const key = b64(32, 32);
const salt = b64(0, 64);
const value = b64(1, 1000);
const sig = b64(64, 64);

export const ClientToRelayDhtGet = z.object({ v, t: z.literal('dht-get'), id, key, salt }).strict();
export const ClientToRelayDhtPut = z.object({ v, t: z.literal('dht-put'), id, key, salt, seq, value, sig }).strict();
/** A record is there only when seq, value and sig all are (the client checks; see dht-access). */
export const RelayToClientDhtFound = z
  .object({ v, t: z.literal('dht-found'), id, rejected: z.number().int().min(0).max(1000), seq: seq.optional(), value: value.optional(), sig: sig.optional() })
  .strict();
export const RelayToClientDhtStored = z.object({ v, t: z.literal('dht-stored'), id, nodes: z.number().int().min(0).max(1000) }).strict();
