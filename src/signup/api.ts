import { z } from 'zod';
import { b64, toB64 } from '../wire/bytes.js';
import type { MutableRecord } from '../dht/index.js';
import { MAX_BATCH } from './oprf.js';

/**
 * The attestor's HTTP API (JSON over HTTP on a loopback or TLS-fronted address), shared by the
 * server (src/attestor) and the client (attestor-client.ts). Every body is checked by these schemas.
 *
 *   GET  /v1/info             -> Info                 the attestor's keys and limits
 *   GET  /v1/metrics          -> counters             totals for operators (no identifiers, no IPs)
 *   POST /v1/signup/start     StartRequest -> StartReply     sends a one-time code to the address/number
 *   POST /v1/signup/verify    VerifyRequest -> RecordReply   code + proof of the ID key -> signed attestation
 *   POST /v1/oprf/evaluate    EvaluateRequest -> EvaluateReply  blinded lookup keys, with a DLEQ proof
 *   POST /v1/unlink           UnlinkRequest -> RecordReply   the attestation + the ID key's signature -> tombstone
 *   errors: 4xx/5xx with ErrorReply
 */
export const Kind = z.enum(['email', 'phone']);

export const InfoReply = z.strictObject({
  v: z.literal(1),
  signingKey: b64(32, 32),
  oprfKey: b64(32, 32),
  kinds: z.array(Kind),
  codeTtlSeconds: z.number().int().positive(),
  maxBatch: z.number().int().positive(),
});

export const StartRequest = z.strictObject({
  kind: Kind,
  identifier: z.string().min(1).max(300),
  /** Default region for a phone number in national form (ISO 3166 alpha-2). */
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
  /** The Parley ID (its Ed25519 key) the attestation will name. */
  idKey: b64(32, 32),
});
export const StartReply = z.strictObject({ pending: z.string().regex(/^[0-9a-f]{32}$/), expiresAt: z.number().int() });

export const VerifyRequest = z.strictObject({
  pending: z.string().regex(/^[0-9a-f]{32}$/),
  code: z.string().regex(/^[0-9]{6}$/, 'the code is six digits'),
  /** The ID key's signature over `bindMessage(attestor signing key, pending)`: the requester holds the ID. */
  idSignature: b64(64, 64),
});

export const RecordJson = z.strictObject({
  publicKey: b64(32, 32),
  salt: b64(1, 64),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  value: b64(0, 1000),
  signature: b64(64, 64),
});
export const RecordReply = z.strictObject({ record: RecordJson });

export const EvaluateRequest = z.strictObject({ kind: Kind, blinded: z.array(b64(32, 32)).min(1).max(MAX_BATCH) });
export const EvaluateReply = z.strictObject({ evaluated: z.array(b64(32, 32)), proof: b64(64, 64) });

export const UnlinkRequest = z.strictObject({
  record: RecordJson,
  /** The ID key's signature over `unlinkMessage(record)`. */
  idSignature: b64(64, 64),
});

export { ATTESTOR_CODES, isAttestorCode, type AttestorCode } from './attestor-codes.js';

export const ErrorReply = z.object({ error: z.string(), message: z.string() });

export function recordToJson(r: MutableRecord): z.input<typeof RecordJson> {
  return { publicKey: toB64(r.publicKey), salt: toB64(r.salt), seq: r.seq, value: toB64(r.value), signature: toB64(r.signature) };
}

export function recordFromJson(j: z.output<typeof RecordJson>): MutableRecord {
  return { publicKey: j.publicKey, salt: j.salt, seq: j.seq, value: j.value, signature: j.signature };
}
