import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import QRCode from 'qrcode';
import { Identity, hasIdentity, isLocked, linkOf, parseId, saveIdentity } from '../identity/index.js';
import { ParleyNode, acquireLock, releaseLock, type NodeOptions } from '../node/index.js';
import {
  conversationPage, getKv, getMessage, listOutbox, markRead, searchMessages, setKv, unreadCounts,
  type ContactRow, type Db, type MessageRow,
} from '../store/index.js';
import { ApiError } from './errors.js';
import type { ApiEvent, Contact, Me, Message, Onboard, RouteReceipt, Safety, SearchHit, State } from './schema.js';

export interface DaemonOptions {
  home: string;
  /** How the node joins the network (everything but the home and passphrase). */
  node: Omit<NodeOptions, 'home' | 'passphrase'>;
}

type Status = State['status'];

/**
 * The running app behind the API: one home, its node once there is an identity, and the events the
 * UI listens to. Emits `event` (ApiEvent).
 */
export class Daemon extends EventEmitter {
  readonly home: string;
  readonly #opts: DaemonOptions;
  #status: Status = 'new';
  #node: ParleyNode | null = null;
  #me: Me | null = null;
  readonly #lastRoute = new Map<string, RouteReceipt['route']>();

  constructor(opts: DaemonOptions) {
    super();
    this.#opts = opts;
    this.home = opts.home;
  }

  /** Starts the node if this home has an unlocked identity; otherwise waits for onboarding/unlock. */
  async open(): Promise<void> {
    if (!hasIdentity(this.home)) this.#status = 'new';
    else if (isLocked(this.home)) this.#status = 'locked';
    else await this.#start();
  }

  async close(): Promise<void> {
    const node = this.#node;
    this.#node = null;
    if (node) {
      await node.stop();
      releaseLock(this.home);
    }
  }

  get node(): ParleyNode | null {
    return this.#node;
  }

  state(): State {
    return { status: this.#status, me: this.#me };
  }

  async onboard(input: Onboard): Promise<State> {
    if (this.#status !== 'new' || hasIdentity(this.home)) throw ApiError.ALREADY_SET_UP();
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    saveIdentity(this.home, Identity.generate(), input.passphrase !== undefined ? { passphrase: input.passphrase } : {});
    await this.#start(input.passphrase, input.name);
    return this.state();
  }

  async unlock(passphrase: string): Promise<State> {
    if (this.#status !== 'locked') throw ApiError.NOT_LOCKED();
    await this.#start(passphrase);
    return this.state();
  }

  async setName(name: string): Promise<Me> {
    const node = this.running();
    setKv(node.db, 'profile.name', name);
    this.#me = await this.#describeMe(node);
    return this.#me;
  }

  /** The node, or a clear 409 when there is none yet. */
  running(): ParleyNode {
    if (!this.#node || this.#status !== 'running') throw ApiError.NOT_RUNNING(this.#status);
    return this.#node;
  }

  contacts(): Contact[] {
    const node = this.running();
    const unread = unreadCounts(node.db);
    const last = lastMessages(node.db);
    const routes = lastRoutes(node.db);
    return node.contacts().map((c) => this.#contact(node, c, unread.get(c.id) ?? 0, last.get(c.id) ?? null, routes.get(c.id) ?? null));
  }

  contact(id: string): Contact {
    const found = this.contacts().find((c) => c.id === parseId(id));
    if (!found) throw ApiError.BAD_REQUEST('that ID is not in your contacts');
    return found;
  }

  addContact(id: string, name?: string): Contact {
    const row = this.running().addContact(id, name);
    return this.#emitContact(row.id);
  }

  patchContact(id: string, patch: { name?: string | undefined; visibility?: 'direct' | 'relayed' | undefined }): Contact {
    const node = this.running();
    if (patch.name !== undefined) node.rename(id, patch.name);
    if (patch.visibility !== undefined) node.setVisibility(id, patch.visibility);
    return this.#emitContact(parseId(id));
  }

  accept(id: string): Contact {
    const node = this.running();
    const c = node.contacts().find((x) => x.id === parseId(id));
    if (c?.state !== 'request') throw ApiError.BAD_REQUEST('there is no pending contact request from that ID');
    node.addContact(id);
    return this.#emitContact(c.id);
  }

  decline(id: string): void {
    this.running().decline(id);
  }

  block(id: string, blocked: boolean): Contact {
    const node = this.running();
    if (blocked) node.block(id);
    else node.unblock(id);
    return this.#emitContact(parseId(id));
  }

  messages(contactId: string, page: { before?: number | undefined; limit?: number | undefined }): Message[] {
    const node = this.running();
    const id = parseId(contactId);
    const waiting = waitingReasons(node.db);
    return conversationPage(node.db, id, { ...(page.before ? { before: page.before } : {}), ...(page.limit ? { limit: page.limit } : {}) }).map((m) =>
      toMessage(m, waiting.get(m.id) ?? null),
    );
  }

  send(contactId: string, text: string): Message {
    const row = this.running().send(contactId, text);
    const m = toMessage(row, 'not sent yet');
    this.emit('event', { type: 'delivery', message: m } satisfies ApiEvent);
    return m;
  }

  markRead(contactId: string): Contact {
    markRead(this.running().db, parseId(contactId));
    return this.#emitContact(parseId(contactId));
  }

  search(q: string, contactId?: string): SearchHit[] {
    const node = this.running();
    return searchMessages(node.db, q, { ...(contactId ? { contactId: parseId(contactId) } : {}), limit: 100 }).map((h) => ({
      ...toMessage(h, null),
      snippet: h.snippet,
    }));
  }

  async safety(contactId: string): Promise<Safety> {
    const node = this.running();
    const n = await node.safetyNumber(contactId);
    if (!n) throw ApiError.BAD_REQUEST('no key of this contact is known yet: exchange a message first, then compare safety numbers');
    const trust = node.trust(contactId);
    const qrSvg = await QRCode.toString([{ data: new Uint8Array(n.scannable), mode: 'byte' }], { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { number: n.digits.match(/\d{5}/g)!.join(' '), qrSvg, ...trust };
  }

  async acceptNewKey(contactId: string): Promise<Contact> {
    await this.running().acceptNewKey(contactId);
    return this.#emitContact(parseId(contactId));
  }

  setVerified(contactId: string, verified: boolean): Contact {
    this.running().setVerified(contactId, verified);
    return this.#emitContact(parseId(contactId));
  }

  async #start(passphrase?: string, name?: string): Promise<void> {
    if (!acquireLock(this.home)) throw ApiError.BAD_REQUEST('another Parley process is running for this home');
    this.#status = 'starting';
    let node: ParleyNode;
    try {
      node = new ParleyNode({ ...this.#opts.node, home: this.home, ...(passphrase !== undefined ? { passphrase } : {}) });
      await node.start();
    } catch (err) {
      releaseLock(this.home);
      this.#status = hasIdentity(this.home) && isLocked(this.home) ? 'locked' : 'new';
      throw err;
    }
    if (name !== undefined) setKv(node.db, 'profile.name', name);
    this.#node = node;
    this.#me = await this.#describeMe(node);
    this.#status = 'running';
    for (const [id, route] of lastRoutes(node.db)) this.#lastRoute.set(id, route);
    const waiting = () => waitingReasons(node.db);
    node.on('message', (row: MessageRow) => {
      this.emit('event', { type: 'message', message: toMessage(row, null) } satisfies ApiEvent);
      this.#noteRoute(row);
      this.#emitContact(row.contact_id);
    });
    const delivery = (row: MessageRow) => {
      const fresh = getMessage(node.db, row.id) ?? row;
      this.emit('event', { type: 'delivery', message: toMessage(fresh, waiting().get(fresh.id) ?? null) } satisfies ApiEvent);
      this.#noteRoute(fresh);
    };
    node.on('presence', (id: string, online: boolean) => {
      this.emit('event', { type: 'presence', contactId: id, online } satisfies ApiEvent);
    });
    node.on('sent', delivery);
    node.on('delivered', delivery);
    this.emit('event', { type: 'state', state: this.state() } satisfies ApiEvent);
  }

  #noteRoute(row: MessageRow): void {
    const route = lastRoutes(this.running().db).get(row.contact_id);
    if (!route || this.#lastRoute.get(row.contact_id) === route) return;
    this.#lastRoute.set(row.contact_id, route);
    this.emit('event', { type: 'route', contactId: row.contact_id, route } satisfies ApiEvent);
  }

  #emitContact(id: string): Contact {
    const node = this.running();
    const row = node.contacts().find((c) => c.id === id);
    if (!row) throw ApiError.BAD_REQUEST('that ID is not in your contacts');
    const contact = this.#contact(node, row, unreadCounts(node.db).get(id) ?? 0, lastMessages(node.db).get(id) ?? null, lastRoutes(node.db).get(id) ?? null);
    this.emit('event', { type: 'contact', contact } satisfies ApiEvent);
    return contact;
  }

  #contact(node: ParleyNode, c: ContactRow, unread: number, last: MessageRow | null, route: RouteReceipt['route'] | null): Contact {
    return {
      id: c.id,
      name: c.name,
      state: c.state,
      visibility: c.visibility,
      unread,
      last: last ? { body: last.body.slice(0, 140), at: last.received_at ?? last.sent_at, direction: last.direction } : null,
      route,
      online: node.online().includes(c.id) ? true : c.visibility === 'direct' ? false : null,
      ...node.trust(c.id),
    };
  }

  async #describeMe(node: ParleyNode): Promise<Me> {
    const link = linkOf(node.id);
    return { id: node.id, link, name: getKv(node.db, 'profile.name') ?? '', qrSvg: await QRCode.toString(link, { type: 'svg', margin: 1 }) };
  }
}

function parseRoute(route: string | null): RouteReceipt | null {
  if (!route) return null;
  try {
    return JSON.parse(route) as RouteReceipt;
  } catch {
    return null;
  }
}

export function toMessage(m: MessageRow, waitingBecause: string | null): Message {
  return {
    seq: m.seq,
    id: m.id,
    contactId: m.contact_id,
    direction: m.direction,
    body: m.body,
    sentAt: m.sent_at,
    receivedAt: m.received_at,
    state: m.state === 'queued' ? 'waiting' : m.state,
    route: parseRoute(m.route),
    waitingBecause: m.direction === 'out' && m.state !== 'delivered' ? waitingBecause : null,
  };
}

function waitingReasons(db: Db): Map<string, string> {
  return new Map(listOutbox(db).map((o) => [o.message_id, o.last_error ?? 'not sent yet']));
}

function lastMessages(db: Db): Map<string, MessageRow> {
  const rows = db.prepare('SELECT * FROM messages WHERE seq IN (SELECT max(seq) FROM messages GROUP BY contact_id)').all() as MessageRow[];
  return new Map(rows.map((r) => [r.contact_id, r]));
}

/**
 * The route in use per contact: how my newest delivered message travelled (what my settings and
 * theirs chose); before I have sent any, how their newest message reached me.
 */
function lastRoutes(db: Db): Map<string, RouteReceipt['route']> {
  const newest = (direction: 'in' | 'out') =>
    db
      .prepare(
        `SELECT contact_id, route FROM messages WHERE seq IN
           (SELECT max(seq) FROM messages WHERE route IS NOT NULL AND direction = ? GROUP BY contact_id)`,
      )
      .all(direction) as Array<{ contact_id: string; route: string }>;
  const out = new Map<string, RouteReceipt['route']>();
  for (const r of [...newest('in'), ...newest('out')]) {
    const route = parseRoute(r.route)?.route;
    if (route) out.set(r.contact_id, route);
  }
  return out;
}
