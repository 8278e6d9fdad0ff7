import { PrivateKey, PublicKey } from '@signalapp/libsignal-client';
import { u8 } from '../wire/bytes.js';
import { randomBytes } from './ed25519.js';
import { Ed25519KeyPair } from './keypair.js';
import { idFromPublicKey, type ParleyId } from './id.js';
import { signBinding } from './binding.js';
import { SecretKey } from './secret.js';

/**
 * Everything that makes one person on one device: the Ed25519 identity key (their ID), a separate
 * Ed25519 transport key (given only to contacts set to `direct`), and the libsignal identity key
 * bound to the identity key by signature.
 */
export class Identity {
  readonly id: ParleyId;
  readonly signalIdentityPublic: Buffer;
  readonly binding: Buffer;
  constructor(
    readonly identityKey: Ed25519KeyPair,
    readonly transportKey: Ed25519KeyPair,
    readonly signalIdentityPrivate: SecretKey,
    readonly registrationId: number,
  ) {
    this.id = idFromPublicKey(identityKey.publicKey);
    this.signalIdentityPublic = Buffer.from(PrivateKey.deserialize(u8(signalIdentityPrivate.expose())).getPublicKey().serialize());
    this.binding = signBinding(identityKey, this.signalIdentityPublic);
  }

  static generate(random: (n: number) => Buffer = randomBytes): Identity {
    const signal = PrivateKey.generate();
    const registrationId = registrationIdFrom(random);
    return new Identity(
      Ed25519KeyPair.fromSeed(random(32)),
      Ed25519KeyPair.fromSeed(random(32)),
      new SecretKey(Buffer.from(signal.serialize())),
      registrationId,
    );
  }

  signalPrivateKey(): PrivateKey {
    return PrivateKey.deserialize(u8(this.signalIdentityPrivate.expose()));
  }

  signalPublicKey(): PublicKey {
    return PublicKey.deserialize(u8(this.signalIdentityPublic));
  }

  toJSON(): string {
    return `Identity(${this.id})`;
  }
}

/** Signal's range for registration IDs, which key files and prekey bundles are checked against. */
export const REGISTRATION_ID_MAX = 16380;

/**
 * A uniform registration ID in 1..16380: 14 random bits, drawn again when they fall outside (4 of
 * 16,384 values; masking and adding one used to give 16381..16384 too, which the key file and the
 * bundle schema then refused, about once in 4,000 new identities).
 */
export function registrationIdFrom(random: (n: number) => Buffer): number {
  for (;;) {
    const v = random(2).readUInt16BE(0) & 0x3fff;
    if (v >= 1 && v <= REGISTRATION_ID_MAX) return v;
  }
}
