import type { FileInfo } from './file-schema.js';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { Identity, hasIdentity, isLocked, linkOf, parseId, saveIdentity } from '../identity/index.js';
import { NodeError, markRelay, startLockedNode, stopLockedNode, type ContactPatch, type ParleyNode, type NodeOptions } from '../node/index.js';
import { getContact, getMessage, type MessageRow, type Removed } from '../store/index.js';
import { contactViews, historyView, lastRoutes, outboxView, safetyView, toMessage, waitingReasons } from './views.js';
import { ApiError } from './errors.js';
import { myQrSvg } from './my-qr.js';
import { NOT_SENT_YET } from './client.js';
import type {
  ApiEvent,
  Attestation,
  Contact,
  ImportResult,
  Match,
  Me,
  Message,
  Network,
  Onboard,
  OutboxItem,
  Relay,
  RouteReceipt,
  Safety,
  SearchHit,
  State,
} from './schema.js';

export interface DaemonOptions {
  home: string;
  /** How the node joins the network (everything but the home and passphrase). */
  node: Omit<NodeOptions, 'home' | 'passphrase'>;
  /** An attestor to offer for email/phone sign-up (URL); without one, onboarding is incognito only. */
  attestor?: string;
  /** Running as soon as the store is open; the node's network comes up in the background (`parley run`). */
  networkInBackground?: boolean;
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
    if (node) await stopLockedNode(node);
  }

  get node(): ParleyNode | null {
    return this.#node;
  }

  state(): State {
    const dhtTraffic = this.#node && this.#status === 'running' ? this.#node.dhtTraffic() : null;
    return {
      status: this.#status,
      me: this.#me,
      attestor: this.#opts.attestor ?? null,
      diskProtected: hasIdentity(this.home) && isLocked(this.home),
      dhtTraffic,
    };
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
    node.setProfileName(name);
    this.#me = this.#describeMe(node);
    return this.#me;
  }

  /** Turns "reachable directly by strangers" on or off; every open UI hears of it. */
  async setReachableByStrangers(on: boolean): Promise<Me> {
    const node = this.running();
    await node.setReachableByStrangers(on);
    this.#me = this.#describeMe(node);
    this.emit('event', { type: 'state', state: this.state() } satisfies ApiEvent);
    return this.#me;
  }

  /** The node, or a clear 409 when there is none yet. */
  running(): ParleyNode {
    if (!this.#node || this.#status !== 'running') throw ApiError.NOT_RUNNING(this.#status);
    return this.#node;
  }

  contacts(): Contact[] {
    return this.#views();
  }

  contact(id: string): Contact {
    const [found] = this.#views(parseId(id));
    if (!found) throw NodeError.UNKNOWN_CONTACT();
    return found;
  }

  addContact(id: string, name?: string): Contact {
    const row = this.running().addContact(id, name);
    return this.#emitContact(row.id);
  }

  patchContact(id: string, patch: ContactPatch): Contact {
    return this.#emitContact(this.running().patchContact(id, patch).id);
  }

  accept(id: string, name?: string): Contact {
    return this.#emitContact(this.running().accept(id, name).id);
  }

  decline(id: string): void {
    this.running().decline(id);
  }

  block(id: string, blocked: boolean): Contact {
    return this.patchContact(id, { blocked });
  }

  messages(contactId: string, page: { before?: number | undefined; limit?: number | undefined }): Message[] {
    const node = this.running();
    const id = parseId(contactId);
    const waiting = waitingReasons(node.db, id);
    return node.conversation(id, page).map((m) => toMessage(m, waiting.get(m.id) ?? null));
  }

  /** The newest messages of all conversations (or one), oldest first. */
  history(contactId: string | undefined, limit: number): Message[] {
    return historyView(this.running().db, contactId === undefined ? undefined : parseId(contactId), limit);
  }

  outbox(): OutboxItem[] {
    return outboxView(this.running().db);
  }

  send(contactId: string, text: string, replyTo?: string): Message {
    const row = this.running().send(contactId, text, { replyTo });
    const m = toMessage(row, NOT_SENT_YET);
    this.emit('event', { type: 'delivery', message: m } satisfies ApiEvent);
    return m;
  }

  /** Sets the conversation's disappearing timer for both sides; the entry that says so. */
  setDisappearing(contactId: string, seconds: number): Message {
    const row = this.running().messages.setDisappearing(contactId, seconds);
    const m = toMessage(row, NOT_SENT_YET);
    this.emit('event', { type: 'delivery', message: m } satisfies ApiEvent);
    this.#emitContact(row.contact_id);
    return m;
  }

  /** Deletes a message for me, or (mine only) for everyone; the tombstone when for everyone. */
  deleteMessage(messageId: string, everyone: boolean): Message | null {
    const row = this.running().messages.delete(messageId, everyone);
    return row ? toMessage(row, null) : null;
  }

  clearConversation(contactId: string): number {
    return this.running().messages.clearConversation(contactId).length;
  }

  cancelOutbox(messageId: string): void {
    this.running().messages.cancel(messageId);
  }

  retryOutbox(messageId: string): void {
    this.running().messages.retry(messageId);
  }

  markRead(contactId: string): Contact {
    this.running().markRead(contactId);
    return this.#emitContact(parseId(contactId));
  }

  search(q: string, contactId?: string): SearchHit[] {
    return this.running()
      .search(q, { contactId, limit: 100 })
      .map((h) => ({
        ...toMessage(h, null),
        snippet: h.snippet,
      }));
  }

  /** Starts email/phone sign-up: the attestor sends a code to the address or number. */
  async signupStart(input: { kind: 'email' | 'phone'; identifier: string; region?: string | undefined }): Promise<{ kind: string; expiresAt: number }> {
    const attestor = this.#opts.attestor;
    if (!attestor) throw ApiError.NO_ATTESTOR_CONFIGURED();
    return this.running()
      .signup()
      .startSignup({ attestor, kind: input.kind, identifier: input.identifier, ...(input.region ? { region: input.region } : {}) });
  }

  async signupVerify(code: string): Promise<Attestation[]> {
    const signup = this.running().signup();
    await signup.verifyCode(code);
    return signup.status();
  }

  signupStatus(): Attestation[] {
    return this.running().signup().status();
  }

  async unlink(kind?: 'email' | 'phone'): Promise<Attestation[]> {
    return this.running()
      .signup()
      .unlink(kind ? { kind } : {});
  }

  async find(q: string, region?: string): Promise<Match | null> {
    const node = this.running();
    const m = await node.signup().lookup(q, { ...(region ? { region } : {}), ...(this.#opts.attestor ? { attestor: this.#opts.attestor } : {}) });
    return m ? { ...m, known: node.contacts().some((c) => c.id === m.id && c.state !== 'request') } : null;
  }

  async importContacts(input: { text: string; format?: 'vcf' | 'csv' | undefined; region?: string | undefined }): Promise<ImportResult> {
    const node = this.running();
    const r = await node.signup().importContacts(input.text, {
      ...(input.format ? { format: input.format } : {}),
      ...(input.region ? { region: input.region } : {}),
      ...(this.#opts.attestor ? { attestor: this.#opts.attestor } : {}),
    });
    const known = new Set(
      node
        .contacts()
        .filter((c) => c.state !== 'request')
        .map((c) => c.id),
    );
    return { ...r, matches: r.matches.filter((m) => m.id !== node.id).map((m) => ({ ...m, known: known.has(m.id) })) };
  }

  async safety(contactId: string): Promise<Safety> {
    const node = this.running();
    return safetyView(await node.safetyNumber(contactId), node.trust(contactId));
  }

  async acceptNewKey(contactId: string): Promise<Contact> {
    return this.#emitContact((await this.running().acceptNewKey(contactId)).id);
  }

  relays(): Relay[] {
    return this.running().relays();
  }

  /** Pins, excludes or releases a relay; the guard follows at the next start. */
  markRelay(publicKey: string, mark: 'pin' | 'unpin' | 'exclude' | 'include'): Relay[] {
    const node = this.running();
    markRelay(node.db, publicKey, mark);
    return node.relays();
  }

  network(): Network {
    return this.running().network();
  }

  setVerified(contactId: string, verified: boolean): Contact {
    return this.#emitContact(this.running().setVerified(contactId, verified).id);
  }

  async #start(passphrase?: string, name?: string): Promise<void> {
    this.#status = 'starting';
    let node: ParleyNode;
    try {
      node = await startLockedNode({ ...this.#opts.node, home: this.home, ...(passphrase !== undefined ? { passphrase } : {}) }, () => ApiError.HOME_BUSY(), {
        local: !!this.#opts.networkInBackground,
      });
    } catch (err) {
      this.#status = hasIdentity(this.home) && isLocked(this.home) ? 'locked' : 'new';
      throw err;
    }
    if (name !== undefined) node.setProfileName(name);
    this.#node = node;
    this.#me = this.#describeMe(node);
    this.#status = 'running';
    for (const [id, route] of lastRoutes(node.db)) this.#lastRoute.set(id, route);
    node.on('message', (row: MessageRow) => {
      this.emit('event', { type: 'message', message: toMessage(row, null) } satisfies ApiEvent);
      this.#noteRoute(row);
      this.#emitContact(row.contact_id);
    });
    const delivery = (row: MessageRow) => {
      const fresh = getMessage(node.db, row.id) ?? row;
      this.emit('event', { type: 'delivery', message: toMessage(fresh, waitingReasons(node.db, fresh.contact_id).get(fresh.id) ?? null) } satisfies ApiEvent);
      this.#noteRoute(fresh);
    };
    node.on('presence', (id: string, online: boolean) => {
      this.emit('event', { type: 'presence', contactId: id, online } satisfies ApiEvent);
    });
    node.on('updated', (row: MessageRow) => {
      this.emit('event', { type: 'updated', message: toMessage(row, waitingReasons(node.db, row.contact_id).get(row.id) ?? null) } satisfies ApiEvent);
      this.#emitContact(row.contact_id);
    });
    node.on('removed', (removed: Removed[]) => {
      for (const contactId of new Set(removed.map((r) => r.contact_id))) {
        const ids = removed.filter((r) => r.contact_id === contactId).map((r) => r.id);
        this.emit('event', { type: 'removed', contactId, ids } satisfies ApiEvent);
        if (getContact(node.db, contactId)) this.#emitContact(contactId);
      }
    });
    node.on('sent', delivery);
    node.on('waiting', delivery);
    node.on('delivered', delivery);
    node.on('network', () => this.emit('event', { type: 'state', state: this.state() } satisfies ApiEvent)); // how DHT traffic goes changes
    node.on('file', (file: FileInfo) => this.emit('event', { type: 'file', file } satisfies ApiEvent));
    node.on('file-removed', (removed: Removed[]) => {
      for (const contactId of new Set(removed.map((r) => r.contact_id)))
        this.emit('event', { type: 'file-removed', contactId, ids: removed.filter((r) => r.contact_id === contactId).map((r) => r.id) } satisfies ApiEvent);
    });
    this.emit('event', { type: 'state', state: this.state() } satisfies ApiEvent);
  }

  #noteRoute(row: MessageRow): void {
    const route = lastRoutes(this.running().db, row.contact_id).get(row.contact_id);
    if (!route || this.#lastRoute.get(row.contact_id) === route) return;
    this.#lastRoute.set(row.contact_id, route);
    this.emit('event', { type: 'route', contactId: row.contact_id, route } satisfies ApiEvent);
  }

  #emitContact(id: string): Contact {
    const contact = this.contact(id);
    this.emit('event', { type: 'contact', contact } satisfies ApiEvent);
    return contact;
  }

  /** Contacts as the UI shows them: all of them, or just one (`only`). */
  #views(only?: string): Contact[] {
    const node = this.running();
    return contactViews(node.db, node.contacts(), { online: new Set(node.online()), ...(only !== undefined ? { only } : {}) });
  }

  #describeMe(node: ParleyNode): Me {
    const link = linkOf(node.id);
    return {
      id: node.id,
      link,
      name: node.profileName(),
      // Drawn when first read (serialised for the UI), not before the ready line: see my-qr.ts.
      get qrSvg() {
        return myQrSvg(link);
      },
      reachableByStrangers: node.reachableByStrangers(),
    };
  }
}
