import sodium from 'sodium-native';
import type { Logger } from 'pino';
import { Ed25519KeyPair, type Identity } from '../identity/index.js';
import { getKv, setKv, listContacts, type ContactRow, type Db } from '../store/index.js';
import { describeError } from '../wire/errors.js';
import type { Peers } from './peers.js';

/** Rotation count of the direct door; 0 is the identity's own transport key. */
const EPOCH = 'door.epoch';
/** Contacts who may know the current door (they were `direct` while it stood), as a JSON list. */
const EXPOSED = 'door.exposedTo';
/** libsodium KDF context (8 bytes): one namespace for every derived transport key. */
const KDF_CONTEXT = Buffer.from('parleytk');

/**
 * The transport key of the current door. Each rotation derives the next one from the identity's
 * transport seed (libsodium crypto_kdf), so no new secret is written anywhere: the database holds
 * only the count.
 */
export function doorKey(db: Db, identity: Identity): Ed25519KeyPair {
  const epoch = Number(getKv(db, EPOCH) ?? 0);
  if (!Number.isSafeInteger(epoch) || epoch <= 0) return identity.transportKey;
  const seed = sodium.sodium_malloc(32);
  sodium.crypto_kdf_derive_from_key(seed, epoch, KDF_CONTEXT, identity.transportKey.seed.expose());
  return Ed25519KeyPair.fromSeed(seed);
}

/**
 * Whether someone may hold a direct link to me now: a contact I set `direct`, or a stranger (or a
 * request I have not answered) when I chose to be reachable directly by strangers.
 */
export function mayConnectDirectly(contact: ContactRow | undefined, strangersWelcome: boolean): boolean {
  if (!contact || contact.state === 'request') return strangersWelcome;
  return contact.state !== 'blocked' && contact.visibility === 'direct';
}

export interface DoorComponents {
  db: Db;
  identity: Identity;
  peers: Peers;
  logger: Logger;
  /** The door moved: republish what carries it (the intro record, when it names the endpoint). */
  onRotated: () => void;
}

/**
 * The node's direct door (listening port + transport key) as the settings allow it: whenever a
 * setting changes (and at start, for changes made while the node was down) every direct link of a
 * contact who may no longer have one closes at once, and when a contact who knew the door is no
 * longer `direct` and nobody else is, the door moves: a new key and a new port, so the old ones
 * lead nowhere.
 */
export class Door {
  readonly #c: DoorComponents;
  #queue: Promise<void> = Promise.resolve();

  constructor(c: DoorComponents) {
    this.#c = c;
  }

  /** A setting changed: links it no longer allows close now; the door moves if it must. */
  changed(id: string): Promise<void> {
    if (!this.#c.peers.mayConnect(id)) this.#c.peers.drop(id, 'NOT_DIRECT');
    return this.review();
  }

  /** Applies the current settings; calls run one after another. */
  review(): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#review())
      .catch((err) => {
        this.#c.logger.warn({ err: describeError(err) }, 'could not apply a visibility change to the direct door');
      });
    return this.#queue;
  }

  async #review(): Promise<void> {
    const { db, peers } = this.#c;
    const contacts = listContacts(db);
    for (const c of contacts) if (!peers.mayConnect(c.id)) peers.drop(c.id, 'NOT_DIRECT');
    const direct = contacts.filter((c) => c.visibility === 'direct' && c.state !== 'blocked').map((c) => c.id);
    const exposed = new Set([...this.#exposed(), ...direct]);
    const stale = [...exposed].some((id) => !direct.includes(id));
    if (!stale || direct.length > 0) {
      this.#setExposed(exposed);
      return;
    }
    setKv(db, EPOCH, String(Number(getKv(db, EPOCH) ?? 0) + 1));
    await peers.rotate(doorKey(db, this.#c.identity));
    setKv(db, 'listen.port', String(peers.address().port));
    this.#setExposed(new Set());
    this.#c.logger.info('moved the direct door: new transport key and port');
    this.#c.onRotated();
  }

  #exposed(): string[] {
    try {
      const v: unknown = JSON.parse(getKv(this.#c.db, EXPOSED) ?? '[]');
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  #setExposed(ids: Set<string>): void {
    setKv(this.#c.db, EXPOSED, JSON.stringify([...ids].sort()));
  }
}
