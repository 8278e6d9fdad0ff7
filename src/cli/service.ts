import { parseId, type Identity } from '../identity/index.js';
import { E2E, trustOf } from '../e2e/index.js';
import { openHome, deleteRequest, getContact, listContacts, setVisibility, setContactName, setContactState, upsertContact, type Db } from '../store/index.js';
import { addContact, NodeError } from '../node/index.js';
import {
  ApiClient, ApiClientError, apiToken, contactViews, historyView, outboxView, readApiInfo, safetyView, type Contact, type Message, type OutboxItem,
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
  patchContact(id: string, patch: { name?: string; visibility?: 'direct' | 'relayed'; blocked?: boolean }): Promise<Contact>;
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
      if (err instanceof ApiClientError) throw new CliError(err.code, err.message);
      throw CliError.DAEMON_GONE();
    }
  };
  return {
    via: 'daemon',
    contacts: () => call(client.contacts()),
    addContact: (idOrLink, name) => call(client.addContact({ id: idOrLink, ...(name ? { name } : {}) })),
    async patchContact(id, patch) {
      let c: Contact | null = null;
      if (patch.name !== undefined || patch.visibility !== undefined) {
        c = await call(client.patchContact(id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.visibility ? { visibility: patch.visibility } : {}) }));
      }
      if (patch.blocked !== undefined) c = await call(patch.blocked ? client.block(id) : client.unblock(id));
      return c ?? call(client.contact(id));
    },
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
  /** A locked home (its database is encrypted) says how to unlock it in `parley run`. */
  const withHomeOpen = async <T>(fn: (db: Db, identity: Identity) => T | Promise<T>): Promise<T> => {
    const { db, identity } = openHome(home);
    try {
      return await fn(db, identity);
    } finally {
      db.close();
    }
  };
  const withDb = <T>(fn: (db: Db, self: string) => T | Promise<T>): Promise<T> => withHomeOpen((db, identity) => fn(db, identity.id));
  /** With the Signal stores too. */
  const withE2E = <T>(fn: (db: Db, e2e: E2E) => T | Promise<T>): Promise<T> => withHomeOpen((db, identity) => fn(db, new E2E({ db, identity })));
  const view = (db: Db, id: string): Contact => {
    const [c] = contactViews(db, listContacts(db), { only: id });
    if (!c) throw NodeError.UNKNOWN_CONTACT();
    return c;
  };
  return {
    via: 'store',
    contacts: () => withDb((db) => contactViews(db, listContacts(db))),
    addContact: (idOrLink, name) => withDb((db, self) => view(db, addContact(db, self, idOrLink, Date.now(), name).id)),
    patchContact: (input, patch) =>
      withDb((db) => {
        const id = parseId(input);
        const ok = [
          patch.visibility ? setVisibility(db, id, patch.visibility) : true,
          patch.name !== undefined ? setContactName(db, id, patch.name) : true,
          patch.blocked !== undefined ? setContactState(db, id, patch.blocked ? 'blocked' : 'added') : true,
        ].every(Boolean);
        if (!ok) throw NodeError.UNKNOWN_CONTACT();
        return view(db, id);
      }),
    accept: (input) =>
      withDb((db) => {
        const id = parseId(input);
        if (getContact(db, id)?.state !== 'request') throw NodeError.NOT_A_REQUEST();
        upsertContact(db, id, 'added', Date.now());
        return view(db, id);
      }),
    decline: (input) =>
      withDb((db) => {
        if (!deleteRequest(db, parseId(input))) throw NodeError.NOT_A_REQUEST();
      }),
    history: (contactId, limit) => withDb((db) => historyView(db, contactId === undefined ? undefined : parseId(contactId), limit)),
    outbox: () => withDb((db) => outboxView(db)),
    async safety(input) {
      const id = parseId(input);
      return withE2E(async (db, e2e) => {
        view(db, id);
        const n = await e2e.safetyNumber(id);
        if (!n) throw NodeError.NO_KEY_YET();
        return safetyView(n, trustOf(db, id));
      });
    },
    async setVerified(input, verified) {
      const id = parseId(input);
      return withE2E((db, e2e) => {
        view(db, id);
        if (!e2e.setVerified(id, verified)) throw NodeError.NO_KEY_YET();
        return view(db, id);
      });
    },
    async acceptNewKey(input) {
      const id = parseId(input);
      return withE2E(async (db, e2e) => {
        view(db, id);
        if (!(await e2e.acceptNewKey(id))) throw NodeError.NO_KEY_CHANGE();
        return view(db, id);
      });
    },
  };
}
