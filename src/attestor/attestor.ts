import {
  decodeAttestationValue,
  evaluateBlinded,
  evaluateIdentifier,
  attestationSalt,
  signAttestation,
  signTombstone,
  bindMessage,
  unlinkMessage,
  checkSignature,
  normalise,
  SignupError,
  type IdentifierKind,
} from '../signup/index.js';
import { hasValidSignature, type MutableRecord } from '../dht/index.js';
import type { AttestorKeys } from './keys.js';
import type { CodeSender } from './email.js';
import { PendingCodes } from './codes.js';
import { WindowLimiter } from './rate-limit.js';
import { sourceKey } from './source.js';

/** The one key of the global budgets. */
const ALL = 'all';
import { AttestorError } from './errors.js';

export interface AttestorLimits {
  /** Codes sent to one address or number per window. */
  startsPerIdentifier: number;
  /** Sign-ups started from one IP per window. */
  startsPerIp: number;
  /** Code checks and unlinks from one IP per window. */
  verifiesPerIp: number;
  /** Blinded elements evaluated for one IP per window. */
  evaluationsPerIp: number;
  windowMs: number;
  /**
   * Budgets for everyone together, per hour: whoever rotates through many addresses still cannot
   * enumerate phone numbers (each evaluation is one lookup) or make the attestor send codes without end.
   */
  startsPerHour: number;
  evaluationsPerHour: number;
}

/** Per-IP limits count an IPv4 address or an IPv6 /64 (see source.ts). */
export const DEFAULT_LIMITS: AttestorLimits = {
  startsPerIdentifier: 3,
  startsPerIp: 20,
  verifiesPerIp: 60,
  evaluationsPerIp: 2_000,
  windowMs: 3_600_000,
  startsPerHour: 2_000,
  evaluationsPerHour: 200_000,
};
const HOUR_MS = 3_600_000;

export interface AttestorComponents {
  keys: AttestorKeys;
  /** Sends codes by email; without one, email sign-up is refused. */
  email?: CodeSender;
  /** Sends codes by SMS; without one, phone sign-up is refused. */
  sms?: CodeSender;
  now?: () => number;
}

export interface AttestorConfig {
  codeTtlMs?: number;
  maxAttempts?: number;
  maxPending?: number;
  /** How long an attestation is valid; the user signs up again after that (default 180 days). */
  attestationTtlSeconds?: number;
  limits?: Partial<AttestorLimits>;
}

export interface AttestorCounters {
  started: number;
  verified: number;
  wrongCodes: number;
  evaluations: number;
  unlinked: number;
  sendFailures: number;
  rateLimited: number;
}

/**
 * The attestor's logic, apart from HTTP: proves control of an address or number with a one-time
 * code and signs an attestation; evaluates blinded lookup keys; signs tombstones. It keeps no list
 * of who signed up: only pending codes (see codes.ts), per-window rate counters and totals.
 */
export class Attestor {
  readonly #c: AttestorComponents;
  readonly #now: () => number;
  readonly #codes: PendingCodes;
  readonly #ttlS: number;
  readonly #lim: Record<'perIdentifier' | 'startsPerIp' | 'verifiesPerIp' | 'evalsPerIp' | 'starts' | 'evals', WindowLimiter>;
  readonly counters: AttestorCounters = { started: 0, verified: 0, wrongCodes: 0, evaluations: 0, unlinked: 0, sendFailures: 0, rateLimited: 0 };
  readonly codeTtlSeconds: number;
  #lastSeq = 0;

  constructor(c: AttestorComponents, cfg: AttestorConfig = {}) {
    this.#c = c;
    this.#now = c.now ?? Date.now;
    this.codeTtlSeconds = Math.floor((cfg.codeTtlMs ?? 600_000) / 1000);
    this.#codes = new PendingCodes({
      now: this.#now,
      ttlMs: cfg.codeTtlMs ?? 600_000,
      maxAttempts: cfg.maxAttempts ?? 5,
      maxPending: cfg.maxPending ?? 10_000,
    });
    this.#ttlS = cfg.attestationTtlSeconds ?? 180 * 86_400;
    const l = { ...DEFAULT_LIMITS, ...cfg.limits };
    const w = (limit: number, blindKeys = false, windowMs = l.windowMs) => new WindowLimiter({ limit, windowMs, now: this.#now, blindKeys });
    this.#lim = {
      perIdentifier: w(l.startsPerIdentifier, true),
      startsPerIp: w(l.startsPerIp),
      verifiesPerIp: w(l.verifiesPerIp),
      evalsPerIp: w(l.evaluationsPerIp),
      starts: w(l.startsPerHour, false, HOUR_MS),
      evals: w(l.evaluationsPerHour, false, HOUR_MS),
    };
  }

  kinds(): IdentifierKind[] {
    return [...(this.#c.email ? ['email' as const] : []), ...(this.#c.sms ? ['phone' as const] : [])];
  }

  /** Sends a code to the address or number; the identifier lives only as long as this call. */
  async start(
    ip: string,
    req: { kind: IdentifierKind; identifier: string; region?: string | undefined; idKey: Buffer },
  ): Promise<{ pending: string; expiresAt: number }> {
    const sender = req.kind === 'email' ? this.#c.email : this.#c.sms;
    if (!sender) throw AttestorError.UNSUPPORTED_KIND(req.kind);
    this.#limit(this.#lim.startsPerIp, sourceKey(ip), 1, 'sign-ups from your address');
    this.#limit(this.#lim.starts, ALL, 1, 'sign-ups at this attestor this hour');
    let id;
    try {
      id = normalise(req.kind, req.identifier, req.region);
    } catch (err) {
      if (SignupError.is(err)) throw AttestorError.BAD_IDENTIFIER(err.message);
      throw err;
    }
    const lookupKey = evaluateIdentifier(this.#c.keys.oprfSecret(), id);
    this.#limit(this.#lim.perIdentifier, lookupKey, 1, 'codes sent to this address or number');
    const { pending, code, expiresAt } = this.#codes.create({ lookupKey, kind: id.kind, idKey: req.idKey });
    try {
      await sender.send(id.value, code);
    } catch {
      this.#codes.delete(pending);
      this.counters.sendFailures++;
      throw AttestorError.SEND_FAILED(id.kind);
    }
    this.counters.started++;
    return { pending, expiresAt: Math.floor(expiresAt / 1000) };
  }

  /** Checks the code and the ID key's signature; returns the signed attestation. */
  verify(ip: string, req: { pending: string; code: string; idSignature: Buffer }): MutableRecord {
    this.#limit(this.#lim.verifiesPerIp, sourceKey(ip), 1, 'code checks from your address');
    const entry = this.#codes.peek(req.pending);
    if (!checkSignature(entry.idKey, bindMessage(this.#c.keys.signing.publicKey, req.pending), req.idSignature)) throw AttestorError.BAD_ID_SIGNATURE();
    try {
      this.#codes.use(req.pending, req.code);
    } catch (err) {
      this.counters.wrongCodes++;
      throw err;
    }
    this.counters.verified++;
    const expiresAt = Math.floor(this.#now() / 1000) + this.#ttlS;
    return signAttestation(this.#c.keys.signing, attestationSalt(entry.lookupKey), this.#seq(), entry.kind, entry.idKey, expiresAt);
  }

  /** Evaluates blinded lookup keys with a batch DLEQ proof. */
  evaluate(ip: string, kind: IdentifierKind, blinded: Buffer[]): { evaluated: Buffer[]; proof: Buffer } {
    this.#limit(this.#lim.evalsPerIp, sourceKey(ip), blinded.length, 'lookups from your address');
    this.#limit(this.#lim.evals, ALL, blinded.length, 'lookups at this attestor this hour');
    let out;
    try {
      out = evaluateBlinded(this.#c.keys.oprfSecret(), kind, blinded);
    } catch {
      throw AttestorError.BAD_POINT();
    }
    this.counters.evaluations += blinded.length;
    return out;
  }

  /** Signs a tombstone for one of this attestor's attestations, asked for by the ID it names. */
  unlink(ip: string, req: { record: MutableRecord; idSignature: Buffer }): MutableRecord {
    this.#limit(this.#lim.verifiesPerIp, sourceKey(ip), 1, 'requests from your address');
    const r = req.record;
    if (!r.publicKey.equals(this.#c.keys.signing.publicKey) || !hasValidSignature(r)) throw AttestorError.NOT_MINE();
    let v;
    try {
      v = decodeAttestationValue(r.value);
    } catch {
      throw AttestorError.BAD_REQUEST('the record is not an attestation');
    }
    if (v.kind === 'withdrawn') throw AttestorError.BAD_REQUEST('the record is already a tombstone');
    if (!checkSignature(v.idKey, unlinkMessage(r), req.idSignature)) throw AttestorError.BAD_ID_SIGNATURE();
    this.counters.unlinked++;
    return signTombstone(this.#c.keys.signing, r.salt, Math.max(this.#seq(), r.seq + 1), v.expiresAt);
  }

  /** Pending sign-ups right now (a count; the entries themselves are never exposed). */
  pendingCount(): number {
    return this.#codes.size;
  }

  sweep(): void {
    this.#codes.sweep();
  }

  /** BEP44 sequence numbers: milliseconds, strictly increasing. */
  #seq(): number {
    this.#lastSeq = Math.max(this.#now(), this.#lastSeq + 1);
    return this.#lastSeq;
  }

  #limit(l: WindowLimiter, key: string | Buffer, units: number, what: string): void {
    if (l.take(key, units)) return;
    this.counters.rateLimited++;
    throw AttestorError.RATE_LIMITED(what);
  }
}
