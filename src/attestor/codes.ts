import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { IdentifierKind } from '../signup/index.js';
import { AttestorError } from './errors.js';

/**
 * Sign-ups waiting for their one-time code. An entry holds the lookup key (the OPRF of the
 * identifier, which only this attestor can compute), never the identifier itself, and a digest of
 * the code, never the code. It is deleted when the code is used, when its attempts run out, and
 * when it expires: after that, nothing in memory relates the person to the address or number.
 */
export interface PendingEntry {
  readonly lookupKey: Buffer;
  readonly kind: IdentifierKind;
  readonly idKey: Buffer;
  readonly expiresAt: number;
  readonly codeDigest: Buffer;
  attemptsLeft: number;
}

export interface PendingCodesOptions {
  now: () => number;
  ttlMs: number;
  maxAttempts: number;
  /** Most sign-ups waiting at once (memory bound); more are refused as rate-limited. */
  maxPending: number;
}

const digest = (pending: string, code: string) => createHash('sha256').update(`parley/attest/code/1\0${pending}\0${code}`).digest();

export class PendingCodes {
  readonly #o: PendingCodesOptions;
  readonly #entries = new Map<string, PendingEntry>();

  constructor(opts: PendingCodesOptions) {
    this.#o = opts;
  }

  /** A new sign-up: its opaque handle and its six-digit code (which goes out by email or SMS and is then forgotten). */
  create(e: { lookupKey: Buffer; kind: IdentifierKind; idKey: Buffer }): { pending: string; code: string; expiresAt: number } {
    this.sweep();
    if (this.#entries.size >= this.#o.maxPending) throw AttestorError.RATE_LIMITED('sign-ups at once');
    const pending = randomBytes(16).toString('hex');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = this.#o.now() + this.#o.ttlMs;
    this.#entries.set(pending, { ...e, expiresAt, codeDigest: digest(pending, code), attemptsLeft: this.#o.maxAttempts });
    return { pending, code, expiresAt };
  }

  /** The live entry for `pending`, without using it; NO_SUCH_CODE if unknown, used or expired. */
  peek(pending: string): PendingEntry {
    const e = this.#entries.get(pending);
    if (!e || e.expiresAt <= this.#o.now()) {
      this.#entries.delete(pending);
      throw AttestorError.NO_SUCH_CODE();
    }
    return e;
  }

  /** Compares in constant time; a right code removes the entry (single use), a wrong one costs an attempt. */
  use(pending: string, code: string): PendingEntry {
    const e = this.peek(pending);
    if (timingSafeEqual(e.codeDigest, digest(pending, code))) {
      this.#entries.delete(pending);
      return e;
    }
    e.attemptsLeft--;
    if (e.attemptsLeft <= 0) {
      this.#entries.delete(pending);
      throw AttestorError.TOO_MANY_ATTEMPTS();
    }
    throw AttestorError.WRONG_CODE(e.attemptsLeft);
  }

  delete(pending: string): void {
    this.#entries.delete(pending);
  }

  sweep(): void {
    const now = this.#o.now();
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
  }

  get size(): number {
    return this.#entries.size;
  }
}
