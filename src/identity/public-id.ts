import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityError } from './errors.js';
import { idFromPublicKey, parseId, type ParleyId } from './id.js';

/*
 * The ID of a home without loading its keys into libsignal or libsodium: what `parley id` and
 * `parley status` need, in a few milliseconds. The Ed25519 public key is derived from the seed by
 * Node's own crypto (OpenSSL), the same derivation libsodium's seed keypair makes.
 */

/** `<home>/identity.json`, mode 0600 in a 0700 home: the only file that holds long-term secret keys. */
export const KEYFILE = 'identity.json';

export function keyfilePath(home: string): string {
  return join(home, KEYFILE);
}

/** DER header of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKeyOf(seed: Buffer): Buffer {
  if (seed.length !== 32) throw IdentityError.BAD_KEYFILE('identity seed is not 32 bytes');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

/**
 * The ID of the identity in this home, or null when it is sealed by a passphrase and its file
 * does not say (the running Parley knows it once unlocked). Throws NO_IDENTITY or BAD_KEYFILE.
 */
export function readPublicId(home: string): ParleyId | null {
  const path = keyfilePath(home);
  if (!existsSync(path)) throw IdentityError.NO_IDENTITY(home);
  let raw: { version?: unknown; id?: unknown; identitySeed?: unknown };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch {
    throw IdentityError.BAD_KEYFILE('unreadable or wrong format');
  }
  if (raw?.version === 2) return typeof raw.id === 'string' ? parseId(raw.id) : null;
  if (raw?.version !== 1 || typeof raw.identitySeed !== 'string' || !/^[0-9a-f]{64}$/.test(raw.identitySeed)) {
    throw IdentityError.BAD_KEYFILE('unreadable or wrong format');
  }
  return idFromPublicKey(ed25519PublicKeyOf(Buffer.from(raw.identitySeed, 'hex')));
}
