import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import { parseId, randomBytes, type Identity, type ParleyId } from '../identity/index.js';
import { E2E, type Trust } from '../e2e/index.js';
import { DhtNode, lookupIntro, Republisher, INTRO_SALT, DEFAULT_REPUBLISH_MS, type VerifiedIntro } from '../dht/index.js';
import {
  openHome,
  getContact,
  history,
  listOutbox,
  getKv,
  setKv,
  getMessage,
  markRead,
  searchMessages,
  conversationPage,
  type SearchHit,
  type Db,
  type ContactRow,
  type MessageRow,
  type OutboxItem,
  type Visibility,
} from '../store/index.js';
import { describeError } from '../wire/errors.js';
import { Peers, type DirectEndpoint } from './peers.js';
import { BundleRequests } from './bundle-requests.js';
import { Delivery } from './delivery.js';
import { Router, reachOf } from './router.js';
import { Door, doorKey, mayConnectDirectly } from './door.js';
import { PrekeySchedule } from './prekey-schedule.js';
import { reachableByStrangers, setReachableByStrangers } from './strangers.js';
import { MyRelay, type RelayAddress } from './my-relay.js';
import { lookupRelay, type MailItem } from '../relay/index.js';
import { contentCodec, type Content } from '../wire/content.js';
import { toB64 } from '../wire/bytes.js';
import { Inbound } from './inbound.js';
import { introValue } from './intro.js';
import { KV } from './kv-keys.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { NodeError } from './errors.js';
import { Contacts, type ContactPatch } from './contacts.js';
import { queueMessage } from './queue.js';
import { AttestationKeeper, Signup } from '../signup/index.js';
import { NodeFiles } from './files.js';
import type { FileOutboxInit } from './files-send.js';

export interface NodeOptions {
  home: string;
  /** DHT bootstrap nodes as host:port; the local testnet's, or Mainline's for real use. */
  bootstrap: string[];
  /** Address to bind the DHT and the direct listener to (loopback tests give each node its own 127.0.0.x). */
  host?: string;
  port?: number;
  retry?: RetryPolicy;
  logger?: Logger;
  now?: () => number;
  republishMs?: number;
  /** Relays this node may use (the testnet's, or found in the DHT); none means direct only. */
  relays?: RelayAddress[];
  /** Relays known only by their public key (base64): their descriptors are looked up in the DHT. */
  relayKeys?: string[];
  /** Unlocks an identity saved with a passphrase. */
  passphrase?: string;
  /** For this run, overrides the saved "reachable directly by strangers" setting (off unless turned on). */
  reachableByStrangers?: boolean;
  /** File transfer tuning (pacing on relayed routes, how long before a file is said to wait). */
  files?: FileOutboxInit;
}

/**
 * One running person: their identity, database, Signal sessions, DHT presence, direct links and
 * outbox. Emits `message` (MessageRow) on arrival, `delivered` and `sent` (MessageRow) as states change,
 * `presence` (id, online) when a contact's direct link opens or closes.
 */
export class ParleyNode extends EventEmitter {
  readonly home: string;
  readonly identity: Identity;
  /** The store, for the API's read-only views (src/api/views.ts); every write goes through a method here. */
  readonly db: Db;
  readonly #opts: NodeOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  #e2e: E2E;
  readonly #contacts: Contacts;
  #dht: DhtNode | null = null;
  #peers: Peers | null = null;
  #delivery: Delivery | null = null;
  #router: Router | null = null;
  #myRelay: MyRelay | null = null;
  #republisher: Republisher | null = null;
  #keeper: AttestationKeeper | null = null;
  #door: Door | null = null;
  #prekeys: PrekeySchedule | null = null;
  readonly #bundles = new BundleRequests();
  readonly #inbound: Inbound;
  /** File transfers: send, receive, list, cancel, save (emits `file` with a FileView as they change). */
  readonly files: NodeFiles;

  constructor(opts: NodeOptions) {
    super();
    this.#opts = opts;
    this.home = opts.home;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#now = opts.now ?? Date.now;
    ({ identity: this.identity, db: this.db } = openHome(opts.home, opts.passphrase));
    this.#e2e = new E2E({ db: this.db, identity: this.identity, now: () => new Date(this.#now()) });
    this.#contacts = new Contacts({ db: this.db, self: this.id, now: this.#now, e2e: () => this.#e2e });
    this.files = new NodeFiles(
      { db: this.db, home: this.home, selfId: this.id, now: this.#now, logger: this.#logger, router: () => this.#router, emit: (v) => this.emit('file', v) },
      opts.files,
    );
    this.#inbound = new Inbound({
      identity: this.identity,
      e2e: this.#e2e,
      bundles: this.#bundles,
      logger: this.#logger,
      myRelay: () => this.#myRelay,
      receiver: () => this.#receiverComponents(),
    });
  }

  get id(): ParleyId {
    return this.identity.id;
  }

  async start(): Promise<void> {
    const host = this.#opts.host ?? '127.0.0.1';
    this.#dht = new DhtNode({ bootstrap: this.#opts.bootstrap, host, logger: this.#logger });
    await this.#dht.start();
    this.#peers = await this.#startPeers(host);
    this.#door = new Door({
      db: this.db,
      identity: this.identity,
      peers: this.#peers,
      logger: this.#logger,
      onRotated: () => void this.#republisher?.refresh().catch(() => {}),
    });
    await this.#door.review(); // settings changed while the node was down
    const relay = this.#chooseRelay([...(this.#opts.relays ?? []), ...(await this.#findRelays())]);
    if (relay) {
      this.#myRelay = new MyRelay(
        { db: this.db, logger: this.#logger, localAddress: host, bundle: async () => Buffer.from(JSON.stringify(await this.#e2e.createBundle(true))) },
        relay,
      );
      this.#myRelay.on('mail', (m: MailItem) => void this.#inbound.onMail(m));
      this.#myRelay.on('up', () => void this.#republisher?.refresh().catch(() => {}));
    }
    this.#router = new Router({
      db: this.db,
      e2e: this.#e2e,
      peers: this.#peers,
      bundles: this.#bundles,
      identity: this.identity,
      logger: this.#logger,
      myRelay: this.#myRelay,
      localAddress: host,
      lookup: (id) => this.#lookup(id),
    });
    this.#delivery = new Delivery(
      {
        db: this.db,
        router: this.#router,
        logger: this.#logger,
        now: this.#now,
        onSent: (id) => this.emit('sent', getMessage(this.db, id)),
        reachUpdate: (id) => this.#reachUpdate(id),
      },
      { retry: this.#opts.retry ?? DEFAULT_RETRY },
    );
    const peers = this.#peers;
    this.#republisher = new Republisher({
      dht: this.#dht,
      keyPair: this.identity.identityKey,
      salt: INTRO_SALT,
      // Strangers learn the relay and a mailbox; the direct endpoint only when the person chose to be
      // reachable directly by strangers (never because no relay is at hand).
      value: () =>
        introValue(
          this.identity,
          { relay: this.#myRelay?.ref() ?? null, direct: this.reachableByStrangers() ? { ...peers.address(), transportKey: peers.publicKey() } : null },
          this.#now(),
        ),
      intervalMs: this.#opts.republishMs ?? DEFAULT_REPUBLISH_MS,
      logger: this.#logger,
    });
    this.#prekeys = new PrekeySchedule({ e2e: this.#e2e, logger: this.#logger, publish: async () => this.#myRelay?.refreshBundle() });
    await this.#prekeys.start(); // before the relay takes the bundle: it names the current keys
    await this.#myRelay?.start();
    await this.#republisher.start();
    this.#keeper = new AttestationKeeper({ dht: this.#dht, db: this.db, logger: this.#logger, now: this.#now });
    await this.#keeper.start();
    this.#delivery.start();
    this.files.start();
  }

  /** Sign-up by email or phone, contact discovery and unlinking (see src/signup); this node republishes the attestations. */
  signup(fetchImpl?: typeof fetch): Signup {
    if (!this.#dht || !this.#keeper) throw NodeError.NOT_STARTED();
    return new Signup({
      db: this.db,
      identity: this.identity,
      dht: this.#dht,
      now: this.#now,
      keeper: this.#keeper,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
  }

  async stop(): Promise<void> {
    this.#delivery?.stop();
    const files = this.files.stop(); // transfers in flight end as their links close below
    this.#prekeys?.stop();
    await this.#keeper?.stop();
    await this.#republisher?.stop();
    await this.#myRelay?.stop();
    await this.#router?.stop();
    await this.#peers?.stop();
    await this.#delivery?.drained();
    await files;
    await this.#dht?.stop();
    this.db.close();
  }

  /** The relay this node uses, stable across restarts (remembered), or null on a network without relays. */
  #chooseRelay(relays: RelayAddress[]): RelayAddress | null {
    if (relays.length === 0) return null;
    const remembered = getKv(this.db, KV.relayChosen);
    const pick = relays.find((r) => `${r.host}:${r.port}` === remembered) ?? relays[randomBytes(1)[0]! % relays.length]!;
    setKv(this.db, KV.relayChosen, `${pick.host}:${pick.port}`);
    return pick;
  }

  /** Descriptors of relays named by key, from the DHT (a relay that cannot be found is skipped, and logged). */
  async #findRelays(): Promise<RelayAddress[]> {
    const found: RelayAddress[] = [];
    for (const key of this.#opts.relayKeys ?? []) {
      try {
        const d = await lookupRelay(this.#dht!, Buffer.from(key, 'base64'));
        found.push({ host: d.host, port: d.port, publicKey: d.publicKey });
      } catch (err) {
        this.#logger.warn({ err: describeError(err) }, 'a relay named by key was not found in the DHT');
      }
    }
    return found;
  }

  async #lookup(id: string): Promise<VerifiedIntro> {
    return lookupIntro(this.#dht!, parseId(id), Math.floor(this.#now() / 1000));
  }

  /** Gives a `direct` contact my direct reach (and withdraws it when they become `relayed`), once per change. */
  #reachUpdate(id: string): { content: Content; commit: () => void } | null {
    // Without relays a reach could not follow a move (no route to say so): only an intro record
    // published with consent ("reachable directly by strangers") names the endpoint then.
    if (!this.#myRelay || !this.#peers) return null;
    const contact = getContact(this.db, id);
    const ep = this.#peers.address();
    const reach =
      contact?.visibility === 'direct'
        ? { v: 1 as const, t: 'reach' as const, endpoint: `${ep.host}:${ep.port}`, transportKey: toB64(this.#peers.publicKey()) }
        : { v: 1 as const, t: 'reach' as const };
    const sent = contentCodec.encode(reach).toString('base64');
    const key = KV.reachSent(id);
    const last = getKv(this.db, key);
    if (last === sent || (last === undefined && contact?.visibility !== 'direct')) return null;
    return { content: reach, commit: () => setKv(this.db, key, sent) };
  }

  #receiverComponents() {
    return {
      db: this.db,
      e2e: this.#e2e,
      peers: this.#peers!,
      router: this.#router!,
      selfId: this.id,
      logger: this.#logger,
      now: this.#now,
      onMessage: (m: MessageRow) => {
        this.emit('message', m);
        this.#delivery?.kick();
      },
      onDelivered: (m: MessageRow) => this.emit('delivered', m),
      files: this.files.inbox,
    };
  }

  /** Test-only hooks (see Peers.forTest): never used by the app. */
  forTest(): { observeInbound: () => string[]; transportKey: () => Buffer; rotatePrekeys: () => Promise<void> } {
    const peers = this.#peers;
    const prekeys = this.#prekeys;
    if (!peers || !prekeys) throw NodeError.NOT_STARTED();
    return { observeInbound: peers.forTest().observeRemotes, transportKey: () => peers.publicKey(), rotatePrekeys: () => prekeys.tick() };
  }

  /** Contacts connected directly right now (through relays, presence is not observable, by design). */
  online(): string[] {
    return this.#peers?.online() ?? [];
  }

  address(): { host: string; port: number } {
    if (!this.#peers) throw NodeError.NOT_STARTED();
    return this.#peers.address();
  }

  /** Contact operations (one copy, shared with commands that run no node: see contacts.ts). */
  addContact(input: string, name?: string): ContactRow {
    return this.#contacts.add(input, name);
  }

  contacts(): ContactRow[] {
    return this.#contacts.list();
  }

  accept(id: string): ContactRow {
    return this.#contacts.accept(id);
  }

  /** Whether my intro record carries my direct endpoint, for anyone to read (off unless turned on). */
  reachableByStrangers(): boolean {
    return this.#opts.reachableByStrangers ?? reachableByStrangers(this.db);
  }

  /** Turns "reachable directly by strangers" on or off (saved) and republishes the intro record. */
  async setReachableByStrangers(on: boolean): Promise<void> {
    setReachableByStrangers(this.db, on);
    await this.#door?.review(); // turned off: strangers' direct links close
    await this.#republisher?.refresh();
  }

  /** Declines a contact request: it and its messages are deleted. */
  decline(id: string): void {
    this.#contacts.decline(id);
  }

  patchContact(id: string, patch: ContactPatch): ContactRow {
    const row = this.#contacts.patch(id, patch);
    // A contact now `relayed` (or blocked) loses its direct links at once, and the door may move.
    if (patch.visibility !== undefined || patch.blocked !== undefined) void this.#door?.changed(row.id);
    return row;
  }

  setVisibility(id: string, visibility: Visibility): void {
    this.patchContact(id, { visibility });
  }

  block(id: string): void {
    this.patchContact(id, { blocked: true });
  }

  unblock(id: string): void {
    this.patchContact(id, { blocked: false });
  }

  rename(id: string, name: string): void {
    this.patchContact(id, { name });
  }

  /** The safety number with this contact, once a key of theirs is known. */
  safetyNumber(id: string): Promise<{ digits: string; scannable: Buffer }> {
    return this.#contacts.safetyNumber(id);
  }

  trust(id: string): Trust {
    return this.#contacts.trust(id);
  }

  setVerified(id: string, verified: boolean): ContactRow {
    return this.#contacts.setVerified(id, verified);
  }

  /** Accepts the new key a contact offered; waiting messages to them go out again on a new session. */
  async acceptNewKey(id: string): Promise<ContactRow> {
    const row = await this.#contacts.acceptNewKey(id);
    this.#router?.forget(row.id); // a new install publishes a new intro (new mailbox)
    this.#delivery?.kick();
    return row;
  }

  /** Writes the message to the outbox (before any attempt) and starts delivering it. */
  send(to: string, text: string): MessageRow {
    const row = queueMessage(this.db, this.id, to, text, this.#now());
    this.#delivery?.kick();
    return row;
  }

  /** The name this person shows their contacts. */
  profileName(): string {
    return getKv(this.db, KV.profileName) ?? '';
  }

  setProfileName(name: string): void {
    setKv(this.db, KV.profileName, name);
  }

  /** Marks a conversation read up to its newest message. */
  markRead(contactId: string): void {
    markRead(this.db, parseId(contactId));
  }

  /** Full-text search over all history (or one conversation), best matches first. */
  search(text: string, opts: { contactId?: string | undefined; limit: number }): SearchHit[] {
    return searchMessages(this.db, text, { limit: opts.limit, ...(opts.contactId ? { contactId: parseId(opts.contactId) } : {}) });
  }

  /** One conversation, a page at a time: the newest `limit` messages before `before` (a seq), oldest first. */
  conversation(contactId: string, page: { before?: number | undefined; limit?: number | undefined } = {}): MessageRow[] {
    return conversationPage(this.db, parseId(contactId), { ...(page.before ? { before: page.before } : {}), ...(page.limit ? { limit: page.limit } : {}) });
  }

  history(contactId?: string, limit?: number): MessageRow[] {
    return history(this.db, contactId ? parseId(contactId) : undefined, limit);
  }

  outbox(): OutboxItem[] {
    return listOutbox(this.db);
  }

  async #startPeers(host: string): Promise<Peers> {
    const make = (port: number) =>
      new Peers(
        {
          logger: this.#logger,
          resolve: (id) => this.#resolve(id),
          onFrame: (c, f) => this.#inbound.onFrame(c, f),
          onPresence: (id, online) => this.emit('presence', id, online),
          mayConnect: (id) => mayConnectDirectly(getContact(this.db, id), this.reachableByStrangers()),
        },
        { host, port, keyPair: doorKey(this.db, this.identity) },
      );
    const remembered = Number(getKv(this.db, KV.listenPort) ?? this.#opts.port ?? 0);
    let peers = make(remembered);
    try {
      await peers.start();
    } catch {
      peers = make(0);
      await peers.start();
    }
    setKv(this.db, KV.listenPort, String(peers.address().port));
    return peers;
  }

  async #resolve(id: string): Promise<DirectEndpoint | null> {
    const reach = reachOf(this.db, id);
    if (reach) {
      const [host, port] = splitEndpoint(reach.endpoint);
      return { host, port, transportKey: Buffer.from(reach.transportKey, 'base64') };
    }
    const intro = await this.#lookup(id);
    if (!intro.endpoint || !intro.transportKey) return null;
    const [host, port] = splitEndpoint(intro.endpoint);
    return { host, port, transportKey: intro.transportKey };
  }
}

function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}
