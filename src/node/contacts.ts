import { parseId, type Identity, type ParleyId } from '../identity/index.js';
import { E2E, type Trust } from '../e2e/index.js';
import {
  deleteRequest,
  getContact,
  listContacts,
  setContactName,
  setContactState,
  setVisibility,
  upsertContact,
  writeTx,
  type ContactRow,
  type Db,
  type Visibility,
} from '../store/index.js';
import { NodeError } from './errors.js';

/** What a contact may have changed at once; blocking keeps the contact, unblocking makes it `added`. */
export interface ContactPatch {
  name?: string | undefined;
  visibility?: Visibility | undefined;
  blocked?: boolean | undefined;
}

export interface ContactsComponents {
  db: Db;
  self: ParleyId;
  now: () => number;
  /** The Signal stores, asked for only by the key operations (a locked identity cannot open them). */
  e2e: () => E2E;
}

/**
 * The contact operations, written once: the running node, the daemon (through the node) and a CLI
 * command on a home no daemon serves all call these, so one mistake gives one error code on every
 * path. Every operation on an existing contact first checks that the ID is a contact.
 */
export class Contacts {
  readonly #c: ContactsComponents;

  constructor(components: ContactsComponents) {
    this.#c = components;
  }

  list(): ContactRow[] {
    return listContacts(this.#c.db);
  }

  /** Adds a contact by ID or `parley:` link (or accepts a request from it). */
  add(input: string, name?: string): ContactRow {
    return addContact(this.#c.db, this.#c.self, input, this.#c.now(), name);
  }

  /** Accepts a contact request (they wrote first). */
  accept(input: string): ContactRow {
    const id = parseId(input);
    if (getContact(this.#c.db, id)?.state !== 'request') throw NodeError.NOT_A_REQUEST();
    return upsertContact(this.#c.db, id, 'added', this.#c.now());
  }

  /** Declines a contact request: it and what they sent are deleted. */
  decline(input: string): void {
    if (!deleteRequest(this.#c.db, parseId(input))) throw NodeError.NOT_A_REQUEST();
  }

  /** Renames, changes the visibility of, blocks or unblocks a contact, all at once. */
  patch(input: string, patch: ContactPatch): ContactRow {
    const id = this.#known(input);
    const { db } = this.#c;
    writeTx(db, () => {
      if (patch.name !== undefined) setContactName(db, id, patch.name);
      if (patch.visibility !== undefined) setVisibility(db, id, patch.visibility);
      if (patch.blocked !== undefined) setContactState(db, id, patch.blocked ? 'blocked' : 'added');
    });
    return getContact(db, id)!;
  }

  /** The safety number with this contact, once a key of theirs is known. */
  async safetyNumber(input: string): Promise<{ digits: string; scannable: Buffer }> {
    const n = await this.#c.e2e().safetyNumber(this.#known(input));
    if (!n) throw NodeError.NO_KEY_YET();
    return n;
  }

  trust(input: string): Trust {
    return this.#c.e2e().trust(this.#known(input));
  }

  /** Marks the safety number verified (after comparing it with them) or not. */
  setVerified(input: string, verified: boolean): ContactRow {
    const id = this.#known(input);
    if (!this.#c.e2e().setVerified(id, verified)) throw NodeError.NO_KEY_YET();
    return getContact(this.#c.db, id)!;
  }

  /** Accepts the new key a contact offered; their old session is dropped. */
  async acceptNewKey(input: string): Promise<ContactRow> {
    const id = this.#known(input);
    if (!(await this.#c.e2e().acceptNewKey(id))) throw NodeError.NO_KEY_CHANGE();
    return getContact(this.#c.db, id)!;
  }

  /** The ID, if it is a contact (or a request); otherwise UNKNOWN_CONTACT. */
  #known(input: string): ParleyId {
    const id = parseId(input);
    if (!getContact(this.#c.db, id)) throw NodeError.UNKNOWN_CONTACT();
    return id;
  }
}

/** Adds a contact by ID or `parley:` link (or accepts a request from it); never oneself. */
export function addContact(db: Db, self: string, input: string, now: number, name?: string): ContactRow {
  const id = parseId(input);
  if (id === self) throw NodeError.SELF();
  return upsertContact(db, id, 'added', now, name ?? null);
}

/**
 * The contact operations on a home's store, for a command with no node running; `identity` is
 * loaded only when a key operation needs the Signal stores.
 */
export function storeContacts(db: Db, self: ParleyId, identity: () => Identity): Contacts {
  let e2e: E2E | null = null;
  return new Contacts({ db, self, now: Date.now, e2e: () => (e2e ??= new E2E({ db, identity: identity() })) });
}
