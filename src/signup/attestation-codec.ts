import { SignupError } from './errors.js';
import type { IdentifierKind } from './identifier.js';

/**
 * The value of an attestation record (a BEP44 item under the attestor's key; the attestor's BEP44
 * signature covers the salt, which is a hash of the lookup key, and this value):
 *
 *   offset size  field
 *   0      1     version = 1
 *   1      1     kind: 1 email, 2 phone, 0 withdrawn (a tombstone: the owner unlinked)
 *   2      4     expiry, unix seconds, unsigned big-endian
 *   6      32    the Parley ID's Ed25519 public key            absent in a tombstone
 *
 * Nothing may follow. 38 bytes (6 for a tombstone): nothing else about the person is in the DHT.
 */
export const ATTESTATION_VERSION = 1;
const KIND_CODE = { email: 1, phone: 2 } as const;

export type AttestationValue = { kind: IdentifierKind; idKey: Buffer; expiresAt: number } | { kind: 'withdrawn'; expiresAt: number };

export function encodeAttestationValue(v: AttestationValue): Buffer {
  if (!Number.isInteger(v.expiresAt) || v.expiresAt < 0 || v.expiresAt > 0xffffffff) throw SignupError.BAD_ATTESTATION('expiry out of range');
  const head = Buffer.alloc(6);
  head[0] = ATTESTATION_VERSION;
  head.writeUInt32BE(v.expiresAt, 2);
  if (v.kind === 'withdrawn') return head;
  if (!Buffer.isBuffer(v.idKey) || v.idKey.length !== 32) throw SignupError.BAD_ATTESTATION('the ID key must be 32 bytes');
  head[1] = KIND_CODE[v.kind];
  return Buffer.concat([head, v.idKey]);
}

export function decodeAttestationValue(value: Buffer): AttestationValue {
  if (value.length < 6) throw SignupError.BAD_ATTESTATION('truncated');
  if (value[0] !== ATTESTATION_VERSION) throw SignupError.BAD_ATTESTATION(`unsupported version ${value[0]}`);
  const expiresAt = value.readUInt32BE(2);
  const code = value[1];
  if (code === 0) {
    if (value.length !== 6) throw SignupError.BAD_ATTESTATION('trailing bytes');
    return { kind: 'withdrawn', expiresAt };
  }
  const kind = code === 1 ? 'email' : code === 2 ? 'phone' : null;
  if (!kind) throw SignupError.BAD_ATTESTATION('unknown kind');
  if (value.length < 38) throw SignupError.BAD_ATTESTATION('truncated');
  if (value.length > 38) throw SignupError.BAD_ATTESTATION('trailing bytes');
  return { kind, idKey: Buffer.from(value.subarray(6, 38)), expiresAt };
}
