import { z } from 'zod';
import { KEMPublicKey, PreKeyBundle, PublicKey } from '@signalapp/libsignal-client';
import { b64 } from '../wire/bytes.js';
import { u8 } from '../wire/bytes.js';
import { REGISTRATION_ID_MAX } from '../identity/index.js';

/** A prekey bundle as it travels (JSON, base64 fields): what a stranger needs to open a session. */
export const BundleJson = z
  .object({
    registrationId: z.number().int().min(1).max(REGISTRATION_ID_MAX),
    deviceId: z.number().int().min(1).max(127),
    preKeyId: z.number().int().min(1).optional(),
    preKey: z.string().max(64).optional(),
    signedPreKeyId: z.number().int().min(1),
    signedPreKey: z.string().max(64),
    signedPreKeySignature: z.string().max(128),
    identityKey: z.string().max(64),
    kyberPreKeyId: z.number().int().min(1),
    kyberPreKey: z.string().max(2200),
    kyberPreKeySignature: z.string().max(128),
    binding: z.string().max(128),
  })
  .strict();
export type BundleJson = z.infer<typeof BundleJson>;

const bytes = (max: number) => b64(1, max);

/** Decodes a bundle into libsignal's type; throws a zod error naming the bad field. */
export function toPreKeyBundle(json: BundleJson): { bundle: PreKeyBundle; identityKey: Buffer; binding: Buffer } {
  const d = z
    .object({
      preKey: bytes(33).optional(),
      signedPreKey: bytes(33),
      signedPreKeySignature: bytes(64),
      identityKey: bytes(33),
      kyberPreKey: bytes(1600),
      kyberPreKeySignature: bytes(64),
      binding: b64(64, 64),
    })
    .parse(json);
  const bundle = PreKeyBundle.new(
    json.registrationId,
    json.deviceId,
    json.preKeyId ?? null,
    d.preKey ? PublicKey.deserialize(u8(d.preKey)) : null,
    json.signedPreKeyId,
    PublicKey.deserialize(u8(d.signedPreKey)),
    u8(d.signedPreKeySignature),
    PublicKey.deserialize(u8(d.identityKey)),
    json.kyberPreKeyId,
    KEMPublicKey.deserialize(u8(d.kyberPreKey)),
    u8(d.kyberPreKeySignature),
  );
  return { bundle, identityKey: d.identityKey, binding: d.binding };
}
