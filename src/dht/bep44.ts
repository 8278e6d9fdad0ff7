import { createHash } from 'node:crypto';
import { verifyEd25519 } from '../identity/index.js';

/**
 * BEP44 mutable items, the parts Parley checks itself rather than trusting the DHT library:
 * the size limit, the exact bytes a signature covers, and the DHT target of a key and salt.
 */

/** BEP44: storing nodes may reject a `v` whose bencoded form is longer than 1000 bytes. */
export const MAX_VALUE_BYTES = 1000;
/** BEP44: the salt is at most 64 bytes. */
export const MAX_SALT_BYTES = 64;

/** One mutable item as a lookup returned it: not yet trusted by anything above this layer. */
export interface MutableRecord {
  readonly publicKey: Buffer;
  readonly salt: Buffer;
  readonly seq: number;
  readonly value: Buffer;
  readonly signature: Buffer;
}

/** Anything that can sign for a public key (an `Ed25519KeyPair` is one). */
export interface MutableSigner {
  readonly publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
}

/** The length of `value` bencoded as a byte string (`<len>:<bytes>`), the size BEP44 limits. */
export function encodedLength(value: Uint8Array): number {
  return String(value.length).length + 1 + value.length;
}

/** The bytes a BEP44 signature covers: `4:salt<n>:<salt>3:seqi<seq>e1:v<n>:<v>`, salt only when non-empty. */
export function signable(salt: Uint8Array, seq: number, value: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  if (salt.length > 0) parts.push(Buffer.from(`4:salt${salt.length}:`), Buffer.from(salt));
  parts.push(Buffer.from(`3:seqi${seq}e1:v${value.length}:`), Buffer.from(value));
  return Buffer.concat(parts);
}

/** The DHT key a mutable item is stored under: SHA-1 of the public key followed by the salt. */
export function targetOf(publicKey: Uint8Array, salt: Uint8Array): Buffer {
  return createHash('sha1').update(publicKey).update(salt).digest();
}

export function isValidSeq(seq: number): boolean {
  return Number.isSafeInteger(seq) && seq >= 0;
}

/** True when the record's BEP44 signature is by its own public key over its salt, seq and value. */
export function hasValidSignature(record: MutableRecord): boolean {
  if (!isValidSeq(record.seq)) return false;
  return verifyEd25519(record.signature, signable(record.salt, record.seq, record.value), record.publicKey);
}

export function toSalt(salt: Uint8Array | string): Buffer {
  return typeof salt === 'string' ? Buffer.from(salt, 'utf8') : Buffer.from(salt);
}

/**
 * The inverse of `signable` for a value that is a byte string: recovers seq and value from the bytes
 * a signature covers (what bittorrent-dht hands to `verify`). Null when they are not in that form.
 */
export function parseSignable(salt: Uint8Array, bytes: Uint8Array): { seq: number; value: Buffer } | null {
  const buf = Buffer.from(bytes);
  const prefix = salt.length > 0 ? Buffer.concat([Buffer.from(`4:salt${salt.length}:`), Buffer.from(salt)]) : Buffer.alloc(0);
  if (!buf.subarray(0, prefix.length).equals(prefix)) return null;
  const head = /^3:seqi(0|[1-9][0-9]{0,15})e1:v(0|[1-9][0-9]{0,3}):/.exec(buf.subarray(prefix.length, prefix.length + 40).toString('latin1'));
  if (!head) return null;
  const seq = Number(head[1]);
  const start = prefix.length + head[0].length;
  const value = buf.subarray(start);
  if (!isValidSeq(seq) || value.length !== Number(head[2])) return null;
  return { seq, value: Buffer.from(value) };
}
