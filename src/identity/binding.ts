import { verify } from './ed25519.js';
import type { Ed25519KeyPair } from './keypair.js';

/**
 * The libsignal identity key is bound to the Parley identity key by a signature of the latter,
 * namespaced so it can never be confused with any other signature Parley makes.
 */
const BINDING_NAMESPACE = Buffer.from('parley/bind-signal-identity/1\0');

export function signBinding(identity: Ed25519KeyPair, signalIdentityKey: Uint8Array): Buffer {
  return identity.sign(Buffer.concat([BINDING_NAMESPACE, signalIdentityKey]));
}

export function verifyBinding(identityPublicKey: Uint8Array, signalIdentityKey: Uint8Array, signature: Uint8Array): boolean {
  return verify(signature, Buffer.concat([BINDING_NAMESPACE, signalIdentityKey]), identityPublicKey);
}
