import { inspect } from 'node:util';
import { idFromPublicKey, verifyBinding, type ParleyId } from '../identity/index.js';
import { DhtError } from './errors.js';
import { encodedLength, hasValidSignature, MAX_VALUE_BYTES, type MutableRecord } from './bep44.js';
import { decodeIntroValue, encodeIntroValue, type IntroFields } from './intro-codec.js';

/**
 * The intro record: a BEP44 mutable item under the person's identity key, salt `parley/intro/1`,
 * saying which Signal identity key is theirs and how a stranger may reach them first.
 */
export const INTRO_SALT = 'parley/intro/1';
const WHAT = 'intro record';

/**
 * How far apart two people's clocks may be before records stop working: the expiry is written with
 * the publisher's clock and checked with the reader's, and clocks a day off in opposite directions
 * are common enough (a dead RTC battery, a wrong time zone set as UTC). A record counts as expired
 * once it is this much past its expiry by the reader's clock. A replayed stale record thus lives at
 * most two days longer; whenever the owner's fresh record is reachable, its higher seq wins anyway.
 */
export const CLOCK_SKEW_S = 48 * 3600;

export type { IntroFields };

/** The value bytes of an intro record (see intro-codec.ts for the layout); BAD_SCHEMA on bad fields. */
export function encodeIntro(fields: IntroFields): Buffer {
  return encodeIntroValue(fields);
}

const MINT = Symbol('VerifiedIntro');

/**
 * An intro record whose BEP44 signature, key, size, schema, binding and expiry have all been
 * checked. Only `verifyIntro` can make one. It prints without its ID or endpoint.
 */
export class VerifiedIntro {
  readonly id: ParleyId;
  readonly seq: number;
  readonly signalIdentityKey: Buffer;
  readonly transportKey: Buffer | undefined;
  readonly endpoint: string | undefined;
  readonly relay: Buffer | undefined;
  readonly expiresAt: number;

  constructor(mint: typeof MINT, id: ParleyId, seq: number, f: IntroFields) {
    if (mint !== MINT) throw new TypeError('only verifyIntro makes a VerifiedIntro');
    this.id = id;
    this.seq = seq;
    this.signalIdentityKey = f.signalIdentityKey;
    this.transportKey = f.transportKey;
    this.endpoint = f.endpoint;
    this.relay = f.relay;
    this.expiresAt = f.expiresAt;
    Object.freeze(this);
  }

  toJSON(): string {
    return 'VerifiedIntro(..)';
  }

  [inspect.custom](): string {
    return 'VerifiedIntro(..)';
  }
}

/**
 * Checks a record a lookup returned for `id`, at `nowSeconds` (unix seconds), and throws a DhtError
 * naming the first thing wrong: WRONG_KEY, BAD_SCHEMA (salt or value), TOO_LARGE, BAD_SIGNATURE,
 * BAD_BINDING, EXPIRED (more than CLOCK_SKEW_S past its expiry).
 */
export function verifyIntro(id: ParleyId, record: MutableRecord, nowSeconds: number): VerifiedIntro {
  if (record.publicKey.length !== 32 || idFromPublicKey(record.publicKey) !== id) throw DhtError.WRONG_KEY(WHAT);
  if (record.salt.toString('utf8') !== INTRO_SALT) throw DhtError.BAD_SCHEMA(WHAT, 'it is stored under another salt');
  const size = encodedLength(record.value);
  if (size > MAX_VALUE_BYTES) throw DhtError.TOO_LARGE(size, MAX_VALUE_BYTES);
  if (!hasValidSignature(record)) throw DhtError.BAD_SIGNATURE(WHAT);
  const fields = decodeIntroValue(record.value);
  if (!verifyBinding(record.publicKey, fields.signalIdentityKey, fields.binding)) throw DhtError.BAD_BINDING(WHAT);
  if (fields.expiresAt + CLOCK_SKEW_S <= nowSeconds) throw DhtError.EXPIRED(WHAT);
  return new VerifiedIntro(MINT, id, record.seq, fields);
}
