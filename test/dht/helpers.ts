import type { Identity } from '../../src/identity/index.js';
import { INTRO_SALT, signable, type IntroFields, type MutableRecord } from '../../src/dht/index.js';

export const NOW = 1_750_000_000;

/** Intro fields as `identity` would publish them, with a direct endpoint. */
export function introOf(identity: Identity, overrides: Partial<IntroFields> = {}): IntroFields {
  return {
    signalIdentityKey: identity.signalIdentityPublic,
    binding: identity.binding,
    transportKey: identity.transportKey.publicKey,
    endpoint: '127.0.0.77:4000',
    expiresAt: NOW + 7200,
    ...overrides,
  };
}

/** A BEP44 record correctly signed by `identity`'s identity key, whatever its value. */
export function signedRecord(identity: Identity, value: Buffer, seq = 1, salt: string = INTRO_SALT): MutableRecord {
  const s = Buffer.from(salt);
  return { publicKey: identity.identityKey.publicKey, salt: s, seq, value, signature: identity.identityKey.sign(signable(s, seq, value)) };
}
