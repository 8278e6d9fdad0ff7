import { namespacedHash, verifyEd25519 } from '../identity/index.js';
import { signable, type MutableRecord } from '../dht/index.js';

/**
 * What a person signs with their identity key to show an attestor that they hold the ID being
 * attested (binding) or unlinked (withdrawal). Each is namespaced and names the attestor's key, so
 * a signature for one attestor or one purpose is worthless for another.
 */
export function bindMessage(attestorKey: Uint8Array, pending: string): Buffer {
  return namespacedHash('parley/attest/bind/1', attestorKey, Buffer.from(pending, 'utf8'));
}

export function unlinkMessage(record: MutableRecord): Buffer {
  return namespacedHash('parley/attest/unlink/1', record.publicKey, signable(record.salt, record.seq, record.value));
}

export function checkSignature(idKey: Uint8Array, message: Buffer, signature: Uint8Array): boolean {
  return verifyEd25519(signature, message, idKey);
}
