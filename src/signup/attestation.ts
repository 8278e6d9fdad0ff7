import { inspect } from 'node:util';
import { idFromPublicKey, type ParleyId } from '../identity/index.js';
import { CLOCK_SKEW_S, encodedLength, hasValidSignature, MAX_VALUE_BYTES, signable, type MutableRecord, type MutableSigner } from '../dht/index.js';
import { SignupError } from './errors.js';
import { decodeAttestationValue, encodeAttestationValue } from './attestation-codec.js';
import type { IdentifierKind } from './identifier.js';

/**
 * An attestation: "whoever controls this email address / phone number controls this Parley ID",
 * a BEP44 mutable item written under the attestor's Ed25519 key with salt = hash(lookup key). The
 * attestor signs it once; the user republishes the signed bytes (anyone may re-put a BEP44 item,
 * nobody but the attestor can change it), and the attestor signs a tombstone when the user unlinks.
 */
export type { AttestationValue } from './attestation-codec.js';

/** The attestor side: signs the attestation for `idKey` under `salt`. */
export function signAttestation(attestor: MutableSigner, salt: Buffer, seq: number, kind: IdentifierKind, idKey: Buffer, expiresAt: number): MutableRecord {
  const value = encodeAttestationValue({ kind, idKey, expiresAt });
  return { publicKey: attestor.publicKey, salt, seq, value, signature: attestor.sign(signable(salt, seq, value)) };
}

/** The attestor side: a tombstone replacing an attestation (higher seq, no ID). */
export function signTombstone(attestor: MutableSigner, salt: Buffer, seq: number, expiresAt: number): MutableRecord {
  const value = encodeAttestationValue({ kind: 'withdrawn', expiresAt });
  return { publicKey: attestor.publicKey, salt, seq, value, signature: attestor.sign(signable(salt, seq, value)) };
}

const MINT = Symbol('VerifiedAttestation');

/** An attestation whose attestor, salt, size, signature, schema and expiry were checked. Only `verifyAttestation` makes one. */
export class VerifiedAttestation {
  constructor(
    mint: typeof MINT,
    readonly id: ParleyId,
    readonly kind: IdentifierKind,
    readonly expiresAt: number,
    readonly attestor: Buffer,
    readonly seq: number,
  ) {
    if (mint !== MINT) throw new TypeError('only verifyAttestation makes a VerifiedAttestation');
    Object.freeze(this);
  }
  toJSON(): string {
    return 'VerifiedAttestation(..)';
  }
  [inspect.custom](): string {
    return 'VerifiedAttestation(..)';
  }
}

export interface VerifyContext {
  /** Ed25519 keys of the attestors the reader trusts. */
  trusted: readonly Buffer[];
  /** The salt the reader looked up (from their own lookup key); omit only for a record handed over whole. */
  salt?: Buffer;
  nowSeconds: number;
}

/**
 * Checks, in order: known attestor (UNKNOWN_ATTESTOR), salt (WRONG_SALT), size (TOO_LARGE),
 * signature (BAD_SIGNATURE), schema (BAD_ATTESTATION), tombstone (WITHDRAWN), expiry (EXPIRED, more than
 * CLOCK_SKEW_S past it, as for intro records).
 */
export function verifyAttestation(record: MutableRecord, ctx: VerifyContext): VerifiedAttestation {
  if (!ctx.trusted.some((k) => k.equals(record.publicKey))) throw SignupError.UNKNOWN_ATTESTOR();
  if (ctx.salt && !ctx.salt.equals(record.salt)) throw SignupError.WRONG_SALT();
  const size = encodedLength(record.value);
  if (size > MAX_VALUE_BYTES) throw SignupError.TOO_LARGE(size, MAX_VALUE_BYTES);
  if (!hasValidSignature(record)) throw SignupError.BAD_SIGNATURE();
  const v = decodeAttestationValue(record.value);
  if (v.kind === 'withdrawn') throw SignupError.WITHDRAWN();
  // Written with the attestor's clock, read with ours: the same tolerance as intro records.
  if (v.expiresAt + CLOCK_SKEW_S <= ctx.nowSeconds) throw SignupError.EXPIRED();
  return new VerifiedAttestation(MINT, idFromPublicKey(v.idKey), v.kind, v.expiresAt, Buffer.from(record.publicKey), record.seq);
}

/** Re-puts an already signed record: a signer that only ever "signs" the exact bytes it was signed over. */
export function presigned(record: MutableRecord): MutableSigner {
  const expected = signable(record.salt, record.seq, record.value);
  return {
    publicKey: record.publicKey,
    sign(message: Uint8Array): Buffer {
      if (!expected.equals(Buffer.from(message))) throw SignupError.BAD_ATTESTATION('the record changed since it was signed');
      return record.signature;
    },
  };
}
