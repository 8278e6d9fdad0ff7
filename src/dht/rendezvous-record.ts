import { inspect } from 'node:util';
import sodium from 'sodium-native';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { Ed25519KeyPair, SecretKey, randomBytes, type ParleyId } from '../identity/index.js';
import { DhtError } from './errors.js';
import { encodedLength, hasValidSignature, MAX_VALUE_BYTES, targetOf, type MutableRecord } from './bep44.js';
import { CLOCK_SKEW_S } from './intro-record.js';

/**
 * Rendezvous records: how a contact finds my current reach without anyone learning that it is mine.
 *
 * Each pair of contacts holds a 32-byte secret (both sides' random contributions, exchanged inside
 * their Signal session, combined by `pairSecret`). From it, per direction ("what A tells B") and per
 * UTC day, HKDF-SHA256 derives a slot: an Ed25519 seed (the BEP44 key pair the record is signed and
 * stored under), a BEP44 salt and a secretbox (XSalsa20-Poly1305) key. A DHT node sees a key and salt that
 * change every day and differ per pair and direction; nothing in them, nor in the ciphertext, names
 * either person. Either side can derive the slot, so either can publish or read it.
 *
 *   value = nonce (24) || secretbox(key, nonce, pad(JSON reach, 512))
 *
 * The box key is the slot's own, so a ciphertext copied under another slot (day, pair, direction)
 * does not open there. The plaintext is padded to one size, so a record with a direct endpoint looks
 * like one without.
 */
export const RENDEZVOUS_VERSION = 1;
const NAMESPACE = 'parley/rendezvous/1';
const DAY_MS = 86_400_000;
const SALT_BYTES = 20;
const PADDED = 512;
const NONCE = sodium.crypto_secretbox_NONCEBYTES;
const TAG = sodium.crypto_secretbox_MACBYTES;
const WHAT = 'rendezvous record';

/** The UTC day number of a time (days since 1970-01-01). */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** When a day starts, in ms since the epoch. */
export function dayStartMs(day: number): number {
  return day * DAY_MS;
}

/**
 * The pair's secret from both sides' contributions: the same bytes on either side (ordered by ID),
 * and bound to the two IDs so one contribution reused with someone else gives another secret.
 */
export function pairSecret(a: { id: ParleyId; contribution: Buffer }, b: { id: ParleyId; contribution: Buffer }): SecretKey {
  if (a.contribution.length !== 32 || b.contribution.length !== 32) throw DhtError.BAD_SCHEMA('rendezvous secret', 'a contribution must be 32 bytes');
  const [lo, hi] = a.id < b.id ? [a, b] : [b, a];
  const ikm = Buffer.concat([lo.contribution, hi.contribution]);
  return new SecretKey(Buffer.from(hkdf(sha256, ikm, undefined, Buffer.from(`${NAMESPACE}/pair\0${lo.id}\0${hi.id}`), 32)));
}

/** Where one direction's record of one day lives, and the key that opens it. */
export class RendezvousSlot {
  readonly keyPair: Ed25519KeyPair;
  readonly salt: Buffer;
  readonly day: number;
  readonly #key: SecretKey;

  constructor(keyPair: Ed25519KeyPair, salt: Buffer, key: SecretKey, day: number) {
    this.keyPair = keyPair;
    this.salt = salt;
    this.#key = key;
    this.day = day;
  }

  /** The DHT target (SHA-1 of key and salt) a lookup of this slot asks for. */
  target(): Buffer {
    return targetOf(this.keyPair.publicKey, this.salt);
  }

  /** The secretbox key (only this module's seal and open use it). */
  boxKey(): Buffer {
    return this.#key.expose();
  }

  toJSON(): string {
    return 'RendezvousSlot(..)';
  }

  [inspect.custom](): string {
    return 'RendezvousSlot(..)';
  }
}

/** The slot of `from`'s record for `to` on `day` (a UTC day number), from the pair's secret. */
export function rendezvousSlot(secret: SecretKey, from: ParleyId, to: ParleyId, day: number): RendezvousSlot {
  if (!Number.isSafeInteger(day) || day < 0) throw DhtError.BAD_SCHEMA(WHAT, 'the day must be a non-negative integer');
  const info = Buffer.from(`${NAMESPACE}/slot\0${from}\0${to}\0${day}`);
  const okm = Buffer.from(hkdf(sha256, secret.expose(), undefined, info, 32 + 32 + SALT_BYTES));
  return new RendezvousSlot(Ed25519KeyPair.fromSeed(okm.subarray(0, 32)), okm.subarray(64), new SecretKey(okm.subarray(32, 64)), day);
}

const b64 = (n: number) =>
  z.string().refine((s) => Buffer.from(s, 'base64').length === n && Buffer.from(s, 'base64').toString('base64') === s, `must be ${n} bytes`);
const PlainSchema = z.strictObject({
  v: z.literal(RENDEZVOUS_VERSION),
  /** The relay reference (opaque here, as in the intro record), base64, at most 255 bytes. */
  r: z
    .string()
    .max(340)
    .refine((s) => Buffer.from(s, 'base64').length <= 255, 'the relay reference is too long')
    .optional(),
  /** Direct endpoint "IP:port" and transport key: only for a contact set to `direct`. */
  a: z
    .string()
    .max(64)
    .regex(/^[0-9a-fA-F.:[\]]+:\d{1,5}$/)
    .optional(),
  t: b64(32).optional(),
  /** Expiry, unix seconds. */
  e: z.number().int().min(0).max(0xffffffff),
});

/** What one side tells the other in a rendezvous record. */
export interface RendezvousReach {
  relay?: Buffer | undefined;
  endpoint?: string | undefined;
  transportKey?: Buffer | undefined;
  /** Unix seconds; the record is refused CLOCK_SKEW_S after it. */
  expiresAt: number;
}

/** The record's value for `slot`: padded and encrypted with the slot's key. */
export function sealRendezvous(slot: RendezvousSlot, reach: RendezvousReach, nonce: Buffer = randomBytes(NONCE)): Buffer {
  if ((reach.endpoint === undefined) !== (reach.transportKey === undefined)) throw DhtError.BAD_SCHEMA(WHAT, 'an endpoint goes with its transport key');
  const plain = {
    v: RENDEZVOUS_VERSION,
    ...(reach.relay ? { r: reach.relay.toString('base64') } : {}),
    ...(reach.endpoint !== undefined ? { a: reach.endpoint, t: reach.transportKey!.toString('base64') } : {}),
    e: reach.expiresAt,
  };
  const checked = PlainSchema.safeParse(plain);
  if (!checked.success) throw DhtError.BAD_SCHEMA(WHAT, checked.error.issues[0]?.message ?? 'invalid fields');
  const json = Buffer.from(JSON.stringify(checked.data));
  if (json.length >= PADDED) throw DhtError.BAD_SCHEMA(WHAT, 'the reach is too long');
  const padded = Buffer.alloc(PADDED);
  json.copy(padded);
  sodium.sodium_pad(padded, json.length, PADDED);
  const out = Buffer.alloc(NONCE + PADDED + TAG);
  nonce.copy(out);
  sodium.crypto_secretbox_easy(out.subarray(NONCE), padded, nonce, slot.boxKey());
  return out;
}

const MINT = Symbol('VerifiedRendezvous');

/** A rendezvous record whose key, salt, size, signature, decryption and expiry were checked: only `openRendezvous` makes one. */
export class VerifiedRendezvous {
  readonly seq: number;
  readonly relay: Buffer | undefined;
  readonly endpoint: string | undefined;
  readonly transportKey: Buffer | undefined;
  readonly expiresAt: number;

  constructor(mint: typeof MINT, seq: number, reach: RendezvousReach) {
    if (mint !== MINT) throw new TypeError('only openRendezvous makes a VerifiedRendezvous');
    this.seq = seq;
    this.relay = reach.relay;
    this.endpoint = reach.endpoint;
    this.transportKey = reach.transportKey;
    this.expiresAt = reach.expiresAt;
    Object.freeze(this);
  }

  toJSON(): string {
    return 'VerifiedRendezvous(..)';
  }

  [inspect.custom](): string {
    return 'VerifiedRendezvous(..)';
  }
}

/**
 * Checks a record a lookup of `slot` returned, at `nowSeconds`: WRONG_KEY, BAD_SCHEMA (salt, or it
 * does not decrypt with the pair's key, or its content), TOO_LARGE, BAD_SIGNATURE, EXPIRED.
 */
export function openRendezvous(slot: RendezvousSlot, record: MutableRecord, nowSeconds: number): VerifiedRendezvous {
  if (!record.publicKey.equals(slot.keyPair.publicKey)) throw DhtError.WRONG_KEY(WHAT);
  if (!record.salt.equals(slot.salt)) throw DhtError.BAD_SCHEMA(WHAT, 'it is stored under another salt');
  const size = encodedLength(record.value);
  if (size > MAX_VALUE_BYTES) throw DhtError.TOO_LARGE(size, MAX_VALUE_BYTES);
  if (!hasValidSignature(record)) throw DhtError.BAD_SIGNATURE(WHAT);
  if (record.value.length !== NONCE + PADDED + TAG) throw DhtError.BAD_SCHEMA(WHAT, 'it has the wrong length');
  const padded = Buffer.alloc(PADDED);
  const nonce = record.value.subarray(0, NONCE);
  let plain: z.infer<typeof PlainSchema>;
  try {
    if (!sodium.crypto_secretbox_open_easy(padded, record.value.subarray(NONCE), nonce, slot.boxKey())) throw new Error('does not open');
    const length = sodium.sodium_unpad(padded, PADDED, PADDED);
    plain = PlainSchema.parse(JSON.parse(padded.subarray(0, length).toString('utf8')));
  } catch {
    throw DhtError.BAD_SCHEMA(WHAT, "it does not open with this pair's key");
  }
  if ((plain.a === undefined) !== (plain.t === undefined)) throw DhtError.BAD_SCHEMA(WHAT, 'an endpoint goes with its transport key');
  if (plain.e + CLOCK_SKEW_S <= nowSeconds) throw DhtError.EXPIRED(WHAT);
  return new VerifiedRendezvous(MINT, record.seq, {
    relay: plain.r !== undefined ? Buffer.from(plain.r, 'base64') : undefined,
    endpoint: plain.a,
    transportKey: plain.t !== undefined ? Buffer.from(plain.t, 'base64') : undefined,
    expiresAt: plain.e,
  });
}
