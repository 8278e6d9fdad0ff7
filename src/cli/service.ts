import { parseId } from '../identity/index.js';
import { openHome, type ContactRow, type Db } from '../store/index.js';
import { storeContacts, type ContactPatch, type Contacts } from '../node/index.js';
import {
  ApiClient,
  ApiClientError,
  apiToken,
  contactViews,
  historyView,
  outboxView,
  readApiInfo,
  safetyView,
  type Contact,
  type Message,
  type OutboxItem,
  type Safety,
} from '../api/index.js';
import { CliError } from './common.js';

/**
 * What the data commands ask of Parley. When `parley run` serves the home, they go through its API,
 * exactly as the web UI does (the daemon stays the one writer, and the UI sees the change at once);
 * otherwise they read and write the store directly. Both give the same shapes, so `--json` output
 * does not depend on whether a daemon runs.
 */
export interface Service {
  readonly via: 'daemon' | 'store';
  contacts(): Promise<Contact[]>;
  addContact(idOrLink: string, name?: string): Promise<Contact>;
  patchContact(id: string, patch: ContactPatch): Promise<Contact>;
  /** Accepts a contact request (they wrote first). */
  accept(id: string): Promise<Contact>;
  /** Declines a contact request: it and what they sent are deleted. */
  decline(id: string): Promise<void>;
  history(contactId: string | undefined, limit: number): Promise<Message[]>;
  outbox(): Promise<OutboxItem[]>;
  safety(id: string): Promise<Safety>;
  setVerified(id: string, verified: boolean): Promise<Contact>;
  /** Accepts the new key a contact offered; the conversation starts a fresh session. */
  acceptNewKey(id: string): Promise<Contact>;
}

export function serviceFor(home: string): Service {
  const api = readApiInfo(home);
  return api ? throughDaemon(new ApiClient(api.url, apiToken(home))) : throughStore(home);
}

function throughDaemon(client: ApiClient): Service {
  /** API refusals become the CLI's one-sentence errors; a daemon that went away says so. */
  const call = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
      throw CliError.DAEMON_GONE();
    }
  };
  return {
    via: 'daemon',
    contacts: () => call(client.contacts()),
    addContact: (idOrLink, name) => call(client.addContact({ id: idOrLink, ...(name ? { name } : {}) })),
    patchContact: (id, patch) => call(Object.values(patch).some((v) => v !== undefined) ? client.patchContact(id, patch) : client.contact(id)),
    accept: (id) => call(client.accept(id)),
    decline: async (id) => void (await call(client.decline(id))),
    history: (contactId, limit) => call(contactId ? client.messages(contactId, { limit }) : client.history(limit)),
    outbox: () => call(client.outbox()),
    safety: (id) => call(client.safety(id)),
    setVerified: (id, verified) => call(client.verify(id, verified)),
    acceptNewKey: (id) => call(client.acceptNewKey(id)),
  };
}

function throughStore(home: string): Service {
  /** The store and its contact operations; a locked home (its database is encrypted) says to unlock it in `parley run`. */
  const withDb = async <T>(fn: (db: Db, contacts: Contacts) => T | Promise<T>): Promise<T> => {
    const { db, identity } = openHome(home);
    try {
      return await fn(
        db,
        storeContacts(db, identity.id, () => identity),
      );
    } finally {
      db.close();
    }
  };
  const view = (db: Db, row: ContactRow): Contact => contactViews(db, [row])[0]!;
  return {
    via: 'store',
    contacts: () => withDb((db, c) => contactViews(db, c.list())),
    addContact: (idOrLink, name) => withDb((db, c) => view(db, c.add(idOrLink, name))),
    patchContact: (id, patch) => withDb((db, c) => view(db, c.patch(id, patch))),
    accept: (id) => withDb((db, c) => view(db, c.accept(id))),
    decline: (id) => withDb((_db, c) => c.decline(id)),
    history: (contactId, limit) => withDb((db) => historyView(db, contactId === undefined ? undefined : parseId(contactId), limit)),
    outbox: () => withDb((db) => outboxView(db)),
    safety: (id) => withDb(async (_db, c) => safetyView(await c.safetyNumber(id), c.trust(id))),
    setVerified: (id, verified) => withDb((db, c) => view(db, c.setVerified(id, verified))),
    acceptNewKey: (id) => withDb(async (db, c) => view(db, await c.acceptNewKey(id))),
  };
}
