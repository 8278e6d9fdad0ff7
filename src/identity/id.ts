import z32 from 'z32';
import { IdentityError } from './errors.js';

/** A person's ID: their Ed25519 identity public key in z-base32 (52 characters, as pkarr writes keys). */
export type ParleyId = string & { readonly __brand: 'ParleyId' };

const ID_LENGTH = 52;
const Z32_ALPHABET = /^[ybndrfg8ejkmcpqxot1uwisza345h769]+$/;
export const LINK_PREFIX = 'parley:';

export function idFromPublicKey(publicKey: Uint8Array): ParleyId {
  if (publicKey.length !== 32) throw IdentityError.BAD_ID('public key must be 32 bytes');
  return z32.encode(publicKey) as ParleyId;
}

/** Accepts an ID, a `parley:` link, or either with spaces/dashes (as shown in groups of four). */
export function parseId(input: string): ParleyId {
  let s = input.trim();
  if (s.toLowerCase().startsWith(LINK_PREFIX)) s = s.slice(LINK_PREFIX.length);
  s = s.replace(/[\s-]/g, '').toLowerCase();
  if (s.length !== ID_LENGTH) throw IdentityError.BAD_ID(`expected ${ID_LENGTH} characters, got ${s.length}`);
  if (!Z32_ALPHABET.test(s)) throw IdentityError.BAD_ID('contains characters outside z-base32');
  const key = z32.decode(s);
  if (key.length !== 32 || z32.encode(key) !== s) throw IdentityError.BAD_ID('does not decode to a 32-byte key');
  return s as ParleyId;
}

export function publicKeyOf(id: ParleyId): Buffer {
  return z32.decode(id);
}

export function linkOf(id: ParleyId): string {
  return LINK_PREFIX + id;
}

/** The ID in groups of four, for people to read aloud and compare. */
export function groupedId(id: ParleyId): string {
  return id.match(/.{1,4}/g)!.join(' ');
}
