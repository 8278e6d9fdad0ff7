import { Direction, IdentityChange, IdentityKeyStore, PrivateKey, PublicKey, type ProtocolAddress } from '@signalapp/libsignal-client';
import { stmt, setKv, type Db } from '../store/index.js';
import { publicKeyOf, verifyBinding, parseId, type Identity } from '../identity/index.js';
import { u8 } from '../wire/bytes.js';
import { BatchSlot } from './batch.js';

/**
 * libsignal's identity store over `signal_identities`. Trust rule: a Signal identity key is trusted
 * for a Parley ID only if that ID's Ed25519 key signed it (the binding) the first time we see it;
 * after that the stored key must match exactly (a change is refused until the user accepts it).
 */
/** The kv entry holding a new Signal key a contact offered (signed by their ID key), until the user accepts it. */
export const keyChangeKey = (peerId: string) => `signal.keychange.${peerId}`;

export class SqlIdentityStore extends IdentityKeyStore {
  /** Bindings offered with the message or bundle being processed, by peer ID. */
  readonly pendingBindings = new Map<string, Buffer>();
  /** Stored keys by peer ID (read several times per message; updated once a write committed). */
  readonly #cache = new Map<string, Buffer | null>();

  constructor(
    private readonly db: Db,
    private readonly identity: Identity,
    private readonly now: () => Date,
    private readonly slot = new BatchSlot(),
  ) {
    super();
  }
  async getIdentityKey(): Promise<PrivateKey> {
    return this.identity.signalPrivateKey();
  }
  async getLocalRegistrationId(): Promise<number> {
    return this.identity.registrationId;
  }
  async saveIdentity(address: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    const bytes = Buffer.from(key.serialize());
    const existing = this.#stored(address.name());
    if (existing?.equals(bytes)) return IdentityChange.NewOrUnchanged;
    const t = this.now().getTime();
    this.slot.write(
      `identity:${address.name()}`,
      bytes,
      () =>
        stmt(
          this.db,
          `INSERT INTO signal_identities (address, identity_key, first_seen_at) VALUES (?, ?, ?)
           ON CONFLICT(address) DO UPDATE SET identity_key = excluded.identity_key, changed_at = ?, verified = 0`,
        ).run(address.name(), bytes, t, t),
      () => this.#cache.set(address.name(), bytes),
    );
    return existing ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(address: ProtocolAddress, key: PublicKey, _direction: Direction): Promise<boolean> {
    const bytes = Buffer.from(key.serialize());
    const existing = this.#stored(address.name());
    const binding = this.pendingBindings.get(address.name());
    if (existing) {
      if (existing.equals(bytes)) return true;
      // A new key that their ID key really signed: the contact reinstalled or was re-keyed. Refused
      // still (the ratchet never switches keys silently), but remembered so the app can warn.
      if (binding && this.#bound(address.name(), bytes, binding)) setKv(this.db, keyChangeKey(address.name()), bytes.toString('base64'));
      return false;
    }
    if (!binding) return false;
    return this.#bound(address.name(), bytes, binding);
  }
  #bound(name: string, key: Buffer, binding: Buffer): boolean {
    try {
      return verifyBinding(publicKeyOf(parseId(name)), key, binding);
    } catch {
      return false;
    }
  }
  async getIdentity(address: ProtocolAddress): Promise<PublicKey | null> {
    const stored = this.#stored(address.name());
    return stored ? PublicKey.deserialize(u8(stored)) : null;
  }
  #stored(name: string): Buffer | null {
    return this.slot.read(`identity:${name}`, () => {
      if (this.#cache.has(name)) return this.#cache.get(name)!;
      const row = stmt(this.db, 'SELECT identity_key FROM signal_identities WHERE address = ?').get(name) as { identity_key: Buffer } | undefined;
      this.#cache.set(name, row?.identity_key ?? null);
      return row?.identity_key ?? null;
    });
  }
  /** Drops the cached key of a peer whose row E2E changed in SQL directly. */
  forget(name: string): void {
    this.#cache.delete(name);
  }
}
