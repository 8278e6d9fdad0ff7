import {
  CiphertextMessageType,
  Fingerprint,
  PreKeySignalMessage,
  ProtocolAddress,
  PublicKey,
  SignalMessage,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  LibSignalErrorBase,
  ErrorCode,
} from '@signalapp/libsignal-client';
import { stmt, deleteKv, getKv, setKv, writeTx, type Db } from '../store/index.js';
import { publicKeyOf, parseId, type Identity } from '../identity/index.js';
import { u8 } from '../wire/bytes.js';
import { BundleJson, toPreKeyBundle } from './bundle.js';
import { mintBundle, rotatePrekeys, PREKEY_POLICY } from './prekeys.js';
import { unusedOneTimePreKeys } from './prekey-ages.js';
import { MintLimiter } from './mint-limiter.js';
import { Mutex } from './mutex.js';
import { pad, unpad } from './padding.js';
import { BatchSlot, WriteBatch } from './batch.js';
import { E2EError } from './errors.js';
import { SqlSessionStore } from './session-store.js';
import { SqlIdentityStore, keyChangeKey } from './identity-store.js';
import { SqlKyberPreKeyStore, SqlPreKeyStore, SqlSignedPreKeyStore } from './prekey-store.js';

export type EnvelopeKind = 'prekey' | 'whisper';

export interface Encrypted {
  kind: EnvelopeKind;
  body: Buffer;
}

/** What a caller of `decrypt` does with the plaintext inside the decryption's transaction. */
export interface Then {
  /** Stored in the same transaction as the session. */
  write?: () => void;
  /** Encrypted to the same peer, its session step stored in that transaction too. */
  reply?: Uint8Array;
  /**
   * Commit without an fsync: only when losing this step to a power cut is recovered by a repeat
   * (a receipt: the sender resends, the receiver answers again; no key is ever used twice, as only
   * receiving-side state would be lost).
   */
  relaxed?: boolean;
}

/**
 * Signal sessions of one person, one device each: PQXDH (Kyber) first contact and the Double
 * Ratchet, with every store in SQLite so the ratchet survives restarts. All libsignal calls run
 * one at a time through an internal mutex.
 */
export class E2E {
  readonly #db: Db;
  readonly #identity: Identity;
  readonly #now: () => Date;
  readonly #mutex = new Mutex();
  /** The write batch of the libsignal operation under way (see batch.ts). */
  readonly #slot = new BatchSlot();
  readonly #sessions: SqlSessionStore;
  readonly #identities: SqlIdentityStore;
  readonly #prekeys: SqlPreKeyStore;
  readonly #signed: SqlSignedPreKeyStore;
  readonly #kyber: SqlKyberPreKeyStore;
  readonly #self: ProtocolAddress;
  readonly #policy: typeof PREKEY_POLICY;
  readonly #mints: MintLimiter;

  constructor({ db, identity, now, policy }: { db: Db; identity: Identity; now?: () => Date; policy?: Partial<typeof PREKEY_POLICY> }) {
    this.#db = db;
    this.#identity = identity;
    this.#now = now ?? (() => new Date());
    this.#sessions = new SqlSessionStore(db, this.#slot);
    this.#identities = new SqlIdentityStore(db, identity, this.#now, this.#slot);
    this.#policy = { ...PREKEY_POLICY, ...policy };
    this.#mints = new MintLimiter(this.#policy);
    this.#prekeys = new SqlPreKeyStore(db, this.#slot, this.#now);
    this.#signed = new SqlSignedPreKeyStore(db, this.#slot);
    this.#kyber = new SqlKyberPreKeyStore(db, this.#slot);
    this.#self = ProtocolAddress.new(identity.id, 1);
  }

  /**
   * A bundle for one asker (one-time prekeys), or with `published` one that many may use. A
   * `requester` past its share of one-time bundles, or any asker while the store already holds
   * `maxOneTime` unused one-time prekeys, gets the published bundle: a session still opens, and the
   * store stays bounded whoever asks.
   */
  createBundle(published = false, requester?: string): Promise<BundleJson> {
    return this.#mutex.run(async () => {
      const now = this.#now();
      const oneTime =
        !published && unusedOneTimePreKeys(this.#db) < this.#policy.maxOneTime && (requester === undefined || this.#mints.take(requester, now.getTime()));
      const bundle = await mintBundle(this.#db, this.#identity, this.#stores(), now, oneTime, this.#policy);
      if (published) setKv(this.#db, PUBLISHED, publishedIds(bundle));
      return bundle;
    });
  }

  /**
   * Rotates the signed and last-resort Kyber prekeys on schedule and deletes those past their grace
   * period. True when the bundle published last no longer names the current keys: publish again.
   */
  rotatePrekeys(): Promise<boolean> {
    return this.#mutex.run(async () => {
      await rotatePrekeys(this.#db, this.#identity, this.#stores(), this.#now(), this.#policy);
      const published = getKv(this.#db, PUBLISHED);
      return published !== undefined && published !== `${getKv(this.#db, 'e2e.signed.current')}:${getKv(this.#db, 'e2e.kyber.lastResort')}`;
    });
  }

  #stores() {
    return { prekeys: this.#prekeys, signed: this.#signed, kyber: this.#kyber };
  }

  /** Opens a session from a peer's bundle, after checking its key is bound to `peerId`. */
  startSession(peerId: string, raw: unknown): Promise<void> {
    return this.#mutex.run(async () => {
      const parsed = BundleJson.safeParse(raw);
      if (!parsed.success) throw E2EError.BAD_BUNDLE(`malformed: ${parsed.error.issues[0]?.path.join('.') ?? 'bundle'}`);
      let decoded;
      try {
        decoded = toPreKeyBundle(parsed.data);
      } catch {
        throw E2EError.BAD_BUNDLE('a key in it does not decode');
      }
      this.#identities.pendingBindings.set(peerId, decoded.binding);
      try {
        await this.#atomically(async () => {
          try {
            await processPreKeyBundle(decoded.bundle, address(peerId), this.#self, this.#sessions, this.#identities, this.#now());
          } catch (err) {
            throw mapError(err, 'bundle');
          }
        });
      } finally {
        this.#identities.pendingBindings.delete(peerId);
      }
    });
  }

  /** Runs one libsignal operation with its store writes batched: all stored in one transaction, or none. */
  async #atomically<T>(op: (batch: WriteBatch) => Promise<T>): Promise<T> {
    const batch = new WriteBatch();
    this.#slot.current = batch;
    try {
      const out = await op(batch);
      batch.commit(this.#db);
      return out;
    } finally {
      this.#slot.current = null;
    }
  }

  async hasSession(peerId: string): Promise<boolean> {
    const s = await this.#sessions.getSession(address(peerId));
    return !!s && s.hasCurrentState();
  }

  /** Encrypts `plaintext` padded to its bucket (padding.ts), so the ciphertext's size says only that. */
  encrypt(peerId: string, plaintext: Uint8Array): Promise<Encrypted> {
    return this.#mutex.run(() => this.#atomically(() => this.#encryptNow(peerId, plaintext)));
  }

  async #encryptNow(peerId: string, plaintext: Uint8Array): Promise<Encrypted> {
    try {
      const msg = await signalEncrypt(u8(pad(plaintext)), address(peerId), this.#self, this.#sessions, this.#identities, this.#now());
      return { kind: msg.type() === CiphertextMessageType.PreKey ? 'prekey' : 'whisper', body: Buffer.from(msg.serialize()) };
    } catch (err) {
      throw mapError(err, 'encrypt');
    }
  }

  /**
   * Decrypts; a first-contact (`prekey`) message must come with the sender's binding signature.
   * `then` (optional) sees the plaintext while the session is still unsaved and may return a store
   * write and a reply: the write, the advanced session and the reply's session are stored in ONE
   * transaction (one fsync: a received message, its ratchet step and its receipt's), and the reply
   * comes back encrypted. Nothing is stored if `then` or its write throws (the error passes through).
   */
  decrypt(peerId: string, kind: EnvelopeKind, body: Buffer, binding?: Buffer): Promise<{ plaintext: Buffer }>;
  decrypt(
    peerId: string,
    kind: EnvelopeKind,
    body: Buffer,
    binding: Buffer | undefined,
    then: (plaintext: Buffer) => Then,
  ): Promise<{ plaintext: Buffer; reply: Encrypted | null }>;
  decrypt(
    peerId: string,
    kind: EnvelopeKind,
    body: Buffer,
    binding?: Buffer,
    then?: (plaintext: Buffer) => Then,
  ): Promise<{ plaintext: Buffer; reply: Encrypted | null }> {
    return this.#mutex.run(async () => {
      const from = address(peerId);
      if (binding) this.#identities.pendingBindings.set(peerId, binding);
      try {
        return await this.#atomically(async (batch) => {
          let plaintext: Buffer;
          try {
            plaintext = Buffer.from(
              kind === 'prekey'
                ? await signalDecryptPreKey(
                    PreKeySignalMessage.deserialize(u8(body)),
                    from,
                    this.#self,
                    this.#sessions,
                    this.#identities,
                    this.#prekeys,
                    this.#signed,
                    this.#kyber,
                  )
                : await signalDecrypt(SignalMessage.deserialize(u8(body)), from, this.#self, this.#sessions, this.#identities),
            );
            plaintext = unpad(plaintext) ?? plaintext; // unpadded: from an older Parley
          } catch (err) {
            throw mapError(err, 'decrypt');
          }
          const next = then?.(plaintext) ?? {};
          if (next.write) batch.also(next.write);
          batch.relaxed = next.relaxed === true;
          const reply = next.reply ? await this.#encryptNow(peerId, next.reply) : null;
          return { plaintext, reply };
        });
      } finally {
        this.#identities.pendingBindings.delete(peerId);
      }
    });
  }

  async remoteIdentity(peerId: string): Promise<Buffer | null> {
    const key = await this.#identities.getIdentity(address(peerId));
    return key ? Buffer.from(key.serialize()) : null;
  }

  /**
   * What the user knows about a contact's key: whether they verified the safety number, and whether
   * the contact offered a different (signed) key since, which the app must warn about loudly.
   */
  trust(peerId: string): Trust {
    return trustOf(this.#db, peerId);
  }

  /**
   * Accepts the new key a contact offered (their ID key signed it): it replaces the old one, unverified,
   * and the old session is dropped so both sides start afresh; messages still waiting go out anew.
   */
  acceptNewKey(peerId: string): Promise<boolean> {
    return this.#mutex.run(async () => {
      const offered = getKv(this.#db, keyChangeKey(peerId));
      if (!offered) return false;
      writeTx(this.#db, () => {
        stmt(this.#db, 'UPDATE signal_identities SET identity_key = ?, changed_at = ?, verified = 0 WHERE address = ?').run(
          Buffer.from(offered, 'base64'),
          this.#now().getTime(),
          peerId,
        );
        stmt(this.#db, 'DELETE FROM signal_sessions WHERE address = ?').run(`${peerId}.1`);
        deleteKv(this.#db, keyChangeKey(peerId));
      });
      this.#identities.forget(peerId);
      this.#sessions.forget(`${peerId}.1`);
      return true;
    });
  }

  /** Marks the contact's current key verified (safety numbers compared) or not. */
  setVerified(peerId: string, verified: boolean): boolean {
    return stmt(this.#db, 'UPDATE signal_identities SET verified = ? WHERE address = ?').run(verified ? 1 : 0, peerId).changes === 1;
  }

  /** The safety number both sides compute from both identities: 60 digits and a scannable form. */
  async safetyNumber(peerId: string): Promise<{ digits: string; scannable: Buffer } | null> {
    const remote = await this.#identities.getIdentity(address(peerId));
    if (!remote) return null;
    const fp = Fingerprint.new(5200, 2, u8(publicKeyOf(this.#identity.id)), this.#identity.signalPublicKey(), u8(publicKeyOf(parseId(peerId))), remote);
    return { digits: fp.displayableFingerprint().toString(), scannable: Buffer.from(fp.scannableFingerprint().toBuffer()) };
  }
}

/** The signed and Kyber prekey IDs the bundle published last names. */
const PUBLISHED = 'e2e.published';
const publishedIds = (b: BundleJson) => `${b.signedPreKeyId}:${b.kyberPreKeyId}`;

function address(peerId: string): ProtocolAddress {
  return ProtocolAddress.new(peerId, 1);
}

function mapError(err: unknown, during: string): Error {
  if (E2EError.is(err)) return err;
  if (err instanceof LibSignalErrorBase) {
    if (err.code === ErrorCode.UntrustedIdentity) return E2EError.UNTRUSTED_IDENTITY();
    const name = ErrorCode[err.code] ?? 'error';
    return during === 'bundle' ? E2EError.BAD_BUNDLE(name) : E2EError.DECRYPT_FAILED(name);
  }
  return during === 'bundle' ? E2EError.BAD_BUNDLE('unreadable') : E2EError.DECRYPT_FAILED('unreadable message');
}

export { PublicKey };

export interface Trust {
  verified: boolean;
  keyChanged: boolean;
  keyPending: boolean;
}

/** `trustOf` for every contact in one query (the contact list: 1,000 contacts were 2,000 queries). */
export function trustOfAll(db: Db): Map<string, Trust> {
  const rows = stmt(
    db,
    `SELECT c.id AS id, i.verified AS verified, i.changed_at AS changed_at, k.key IS NOT NULL AS pending FROM contacts c
       LEFT JOIN signal_identities i ON i.address = c.id LEFT JOIN kv k ON k.key = 'signal.keychange.' || c.id`,
  ).all() as Array<{ id: string; verified: number | null; changed_at: number | null; pending: number }>;
  return new Map(rows.map((r) => [r.id, trustFrom(r.verified, r.changed_at, r.pending === 1)]));
}

function trustFrom(verified: number | null, changedAt: number | null, keyPending: boolean): Trust {
  return { verified: verified === 1, keyChanged: keyPending || (changedAt != null && verified === 0), keyPending };
}

/** What the user knows about a contact's key, read from the store alone (also with no node running). */
export function trustOf(db: Db, peerId: string): Trust {
  const row = stmt(db, 'SELECT verified, changed_at FROM signal_identities WHERE address = ?').get(peerId) as
    { verified: number; changed_at: number | null } | undefined;
  return trustFrom(row?.verified ?? null, row?.changed_at ?? null, getKv(db, keyChangeKey(peerId)) !== undefined);
}
