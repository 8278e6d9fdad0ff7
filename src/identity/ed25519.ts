import sodium from 'sodium-native';

/** Ed25519 through libsodium; the only place that touches signing primitives. */
export function generateKeyPair(seed?: Buffer): { publicKey: Buffer; secretKey: Buffer } {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES) as unknown as Buffer;
  if (seed) sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  else sodium.crypto_sign_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

export function sign(message: Uint8Array, secretKey: Buffer): Buffer {
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(sig, Buffer.from(message), secretKey);
  return sig;
}

export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== sodium.crypto_sign_BYTES || publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES) {
    return false;
  }
  try {
    return sodium.crypto_sign_verify_detached(Buffer.from(signature), Buffer.from(message), Buffer.from(publicKey));
  } catch {
    return false;
  }
}

export function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  sodium.randombytes_buf(b);
  return b;
}

/** Namespaced hash (BLAKE2b-256 keyed by nothing, input prefixed by the namespace). */
export function hash(namespace: string, ...parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(32);
  sodium.crypto_generichash(out, Buffer.concat([Buffer.from(namespace + '\0'), ...parts.map((p) => Buffer.from(p))]));
  return out;
}

/**
 * Anonymous sealed box (libsodium `crypto_box_seal`) to the X25519 form of an Ed25519 public key:
 * only the holder of the identity key can open it, and the sealed bytes say nothing of the sender.
 */
export function sealTo(edPublicKey: Uint8Array, message: Uint8Array): Buffer {
  const pk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  sodium.crypto_sign_ed25519_pk_to_curve25519(pk, Buffer.from(edPublicKey));
  const out = Buffer.alloc(message.length + sodium.crypto_box_SEALBYTES);
  sodium.crypto_box_seal(out, Buffer.from(message), pk);
  return out;
}

/** Opens a `sealTo` box with an Ed25519 key pair; null if it was not sealed to this key or was altered. */
export function openSealed(keyPair: { publicKey: Buffer; secretKey: Buffer }, sealed: Uint8Array): Buffer | null {
  if (sealed.length < sodium.crypto_box_SEALBYTES) return null;
  const pk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const sk = sodium.sodium_malloc(sodium.crypto_box_SECRETKEYBYTES) as unknown as Buffer;
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(pk, keyPair.publicKey);
    sodium.crypto_sign_ed25519_sk_to_curve25519(sk, keyPair.secretKey);
    const out = Buffer.alloc(sealed.length - sodium.crypto_box_SEALBYTES);
    return sodium.crypto_box_seal_open(out, Buffer.from(sealed), pk, sk) ? out : null;
  } catch {
    return null;
  } finally {
    sodium.sodium_memzero(sk);
  }
}
