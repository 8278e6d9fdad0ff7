import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadIdentity, parseId, randomBytes, type Identity, type ParleyId } from '../identity/index.js';
import { E2E } from '../e2e/index.js';
import { DhtNode, lookupIntro, Republisher, encodeIntro, type VerifiedIntro } from '../dht/index.js';
import {
  openDb, writeTx, getContact, listContacts, upsertContact, insertMessage, enqueue, takeOutSeq, history, listOutbox, getKv, setKv,
  setContactState, deleteRequest, setVisibility, setContactName, getMessage,
  type Db, type ContactRow, type MessageRow, type OutboxItem, type Visibility,
} from '../store/index.js';
import type { PeerFrame } from '../wire/peer-frames.js';
import { MAX_TEXT_BYTES } from '../wire/limits.js';
import { describeError } from '../wire/errors.js';
import { Peers, type PeerConn, type DirectEndpoint } from './peers.js';
import { BundleRequests } from './bundle-requests.js';
import { Delivery } from './delivery.js';
import { Router, reachOf } from './router.js';
import { Door, doorKey, mayConnectDirectly } from './door.js';
import { PrekeySchedule } from './prekey-schedule.js';
import { reachableByStrangers, setReachableByStrangers } from './strangers.js';
import { MyRelay, type RelayAddress } from './my-relay.js';
import { lookupRelay, type MailItem } from '../relay/index.js';
import { peerCodec } from '../wire/peer-frames.js';
import { contentCodec, type Content } from '../wire/content.js';
import { toB64 } from '../wire/bytes.js';
import { encodeRelayRef } from '../routing/relay-ref.js';
import { receiveEnvelope } from './receiver.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { NodeError } from './errors.js';
import { acquireLock, releaseLock } from './lock.js';
import { AttestationKeeper, Signup } from '../signup/index.js';

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
}


/** Bundle requests one connection may make: each mints one-time prekeys, so they are rationed. */
const BUNDLES_PER_CONNECTION = 4;

/**
 * One running person: their identity, database, Signal sessions, DHT presence, direct links and
 * outbox. Emits `message` (MessageRow) on arrival, `delivered` and `sent` (MessageRow) as states change,
 * `presence` (id, online) when a contact's direct link opens or closes.
 */
export class ParleyNode extends EventEmitter {
  readonly home: string;
  readonly identity: Identity;
  readonly db: Db;
  readonly #opts: NodeOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  #e2e: E2E;
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
  readonly #bundleCounts = new WeakMap<PeerConn, number>();

  constructor(opts: NodeOptions) {
    super();
    this.#opts = opts;
    this.home = opts.home;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#now = opts.now ?? Date.now;
    this.identity = loadIdentity(opts.home, opts.passphrase);
    this.db = openDb(join(opts.home, 'parley.db'));
    this.#e2e = new E2E({ db: this.db, identity: this.identity, now: () => new Date(this.#now()) });
  }

  get id(): ParleyId {
    return this.identity.id;
  }

  async start(): Promise<void> {
    const host = this.#opts.host ?? '127.0.0.1';
    this.#dht = new DhtNode({ bootstrap: this.#opts.bootstrap, host, logger: this.#logger });
    await this.#dht.start();
    this.#peers = await this.#startPeers(host);
    this.#door = new Door({ db: this.db, identity: this.identity, peers: this.#peers, logger: this.#logger, onRotated: () => void this.#republisher?.refresh().catch(() => {}) });
    await this.#door.review(); // settings changed while the node was down
    const relay = this.#chooseRelay([...(this.#opts.relays ?? []), ...(await this.#findRelays())]);
    if (relay) {
      this.#myRelay = new MyRelay(
        { db: this.db, logger: this.#logger, localAddress: host, bundle: async () => Buffer.from(JSON.stringify(await this.#e2e.createBundle(true))) },
        relay,
      );
      this.#myRelay.on('mail', (m: MailItem) => void this.#onMail(m));
      this.#myRelay.on('up', () => void this.#republisher?.refresh().catch(() => {}));
    }
    this.#router = new Router({
      db: this.db, e2e: this.#e2e, peers: this.#peers, bundles: this.#bundles, identity: this.identity, logger: this.#logger,
      myRelay: this.#myRelay, localAddress: host, lookup: (id) => this.#lookup(id),
    });
    this.#delivery = new Delivery(
      { db: this.db, router: this.#router, logger: this.#logger, now: this.#now,
        onSent: (id) => this.emit('sent', getMessage(this.db, id)),
        reachUpdate: (id) => this.#reachUpdate(id) },
      { retry: this.#opts.retry ?? DEFAULT_RETRY },
    );
    const peers = this.#peers;
    this.#republisher = new Republisher({
      dht: this.#dht,
      keyPair: this.identity.identityKey,
      salt: 'parley/intro/1',
      value: () => {
        const ref = this.#myRelay?.ref();
        const ep = peers.address();
        // Strangers learn the relay and a mailbox; the direct endpoint only when the person chose
        // to be reachable directly by strangers (never because no relay is at hand).
        return encodeIntro({
          signalIdentityKey: this.identity.signalIdentityPublic,
          binding: this.identity.binding,
          ...(ref ? { relay: encodeRelayRef(ref) } : {}),
          ...(this.reachableByStrangers() ? { transportKey: peers.publicKey(), endpoint: `${ep.host}:${ep.port}` } : {}),
          expiresAt: Math.floor(this.#now() / 1000) + 2 * 3600,
        });
      },
      intervalMs: this.#opts.republishMs ?? 30 * 60_000,
      logger: this.#logger,
    });
    this.#prekeys = new PrekeySchedule({ e2e: this.#e2e, logger: this.#logger, publish: async () => this.#myRelay?.refreshBundle() });
    await this.#prekeys.start(); // before the relay takes the bundle: it names the current keys
    await this.#myRelay?.start();
    await this.#republisher.start();
    this.#keeper = new AttestationKeeper({ dht: this.#dht, db: this.db, logger: this.#logger, now: this.#now });
    await this.#keeper.start();
    this.#delivery.start();
  }

  /** Sign-up by email or phone, contact discovery and unlinking (see src/signup); this node republishes the attestations. */
  signup(fetchImpl?: typeof fetch): Signup {
    if (!this.#dht || !this.#keeper) throw NodeError.NOT_STARTED();
    return new Signup({ db: this.db, identity: this.identity, dht: this.#dht, now: this.#now, keeper: this.#keeper, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }

  async stop(): Promise<void> {
    this.#delivery?.stop();
    this.#prekeys?.stop();
    await this.#keeper?.stop();
    await this.#republisher?.stop();
    await this.#myRelay?.stop();
    await this.#router?.stop();
    await this.#peers?.stop();
    await this.#delivery?.drained();
    await this.#dht?.stop();
    this.db.close();
  }

  /** The relay this node uses, stable across restarts (remembered), or null on a network without relays. */
  #chooseRelay(relays: RelayAddress[]): RelayAddress | null {
    if (relays.length === 0) return null;
    const remembered = getKv(this.db, 'relay.chosen');
    const pick = relays.find((r) => `${r.host}:${r.port}` === remembered) ?? relays[randomBytes(1)[0]! % relays.length]!;
    setKv(this.db, 'relay.chosen', `${pick.host}:${pick.port}`);
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
    const reach = contact?.visibility === 'direct'
      ? { v: 1 as const, t: 'reach' as const, endpoint: `${ep.host}:${ep.port}`, transportKey: toB64(this.#peers.publicKey()) }
      : { v: 1 as const, t: 'reach' as const };
    const sent = contentCodec.encode(reach).toString('base64');
    const key = `reachSent.${id}`;
    const last = getKv(this.db, key);
    if (last === sent || (last === undefined && contact?.visibility !== 'direct')) return null;
    return { content: reach, commit: () => setKv(this.db, key, sent) };
  }

  async #onMail(m: MailItem): Promise<void> {
    let frame: PeerFrame;
    try {
      const opened = this.identity.identityKey.openSealed(m.bytes);
      if (!opened) throw new Error('not sealed to us');
      frame = peerCodec.decode(opened);
    } catch {
      await this.#myRelay?.ack([m.itemId]).catch(() => {});
      return;
    }
    try {
      if (frame.t === 'env') await receiveEnvelope(this.#receiverComponents(), frame, { conn: null });
      await this.#myRelay?.ack([m.itemId]); // only once stored: a crash before this means a refetch, and a dedup
    } catch (err) {
      this.#logger.warn({ err: describeError(err) }, 'mailbox item handling failed; it stays on the relay');
    }
  }

  #receiverComponents() {
    return {
      db: this.db, e2e: this.#e2e, peers: this.#peers!, router: this.#router!, selfId: this.id, logger: this.#logger, now: this.#now,
      onMessage: (m: MessageRow) => { this.emit('message', m); this.#delivery?.kick(); },
      onDelivered: (m: MessageRow) => this.emit('delivered', m),
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

  addContact(input: string, name?: string): ContactRow {
    return addContact(this.db, this.id, input, this.#now(), name);
  }

  contacts(): ContactRow[] {
    return listContacts(this.db);
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

  setVisibility(id: string, visibility: Visibility): void {
    if (!setVisibility(this.db, parseId(id), visibility)) throw NodeError.UNKNOWN_CONTACT();
    void this.#door?.changed(parseId(id)); // a `relayed` contact's direct links close now; the door may move
  }

  block(id: string): void {
    if (!setContactState(this.db, parseId(id), 'blocked')) throw NodeError.UNKNOWN_CONTACT();
    void this.#door?.changed(parseId(id));
  }

  unblock(id: string): void {
    if (!setContactState(this.db, parseId(id), 'added')) throw NodeError.UNKNOWN_CONTACT();
  }

  /** Declines a contact request: it and its messages are deleted. */
  decline(id: string): void {
    if (!deleteRequest(this.db, parseId(id))) throw NodeError.NOT_A_REQUEST();
  }

  /** The safety number with this contact (null until a key of theirs is known). */
  safetyNumber(id: string): Promise<{ digits: string; scannable: Buffer } | null> {
    return this.#e2e.safetyNumber(parseId(id));
  }

  trust(id: string): { verified: boolean; keyChanged: boolean; keyPending: boolean } {
    return this.#e2e.trust(parseId(id));
  }

  /** Accepts the new key a contact offered; waiting messages to them go out again on a new session. */
  async acceptNewKey(id: string): Promise<void> {
    if (!(await this.#e2e.acceptNewKey(parseId(id)))) throw NodeError.NO_KEY_CHANGE();
    this.#router?.forget(parseId(id)); // a new install publishes a new intro (new mailbox)
    this.#delivery?.kick();
  }

  setVerified(id: string, verified: boolean): void {
    if (!this.#e2e.setVerified(parseId(id), verified)) throw NodeError.NO_KEY_YET();
  }

  rename(id: string, name: string): void {
    if (!setContactName(this.db, parseId(id), name)) throw NodeError.UNKNOWN_CONTACT();
  }

  /** Writes the message to the outbox (before any attempt) and starts delivering it. */
  send(to: string, text: string): MessageRow {
    const row = queueMessage(this.db, this.id, to, text, this.#now());
    this.#delivery?.kick();
    return row;
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
          logger: this.#logger, resolve: (id) => this.#resolve(id), onFrame: (c, f) => this.#onFrame(c, f),
          onPresence: (id, online) => this.emit('presence', id, online),
          mayConnect: (id) => mayConnectDirectly(getContact(this.db, id), this.reachableByStrangers()),
        },
        { host, port, keyPair: doorKey(this.db, this.identity) },
      );
    const remembered = Number(getKv(this.db, 'listen.port') ?? this.#opts.port ?? 0);
    let peers = make(remembered);
    try {
      await peers.start();
    } catch {
      peers = make(0);
      await peers.start();
    }
    setKv(this.db, 'listen.port', String(peers.address().port));
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

  #onFrame(conn: PeerConn, frame: PeerFrame): void {
    switch (frame.t) {
      case 'bundle-req': {
        const n = (this.#bundleCounts.get(conn) ?? 0) + 1;
        this.#bundleCounts.set(conn, n);
        if (n > BUNDLES_PER_CONNECTION) return conn.close('TOO_MANY_BUNDLE_REQUESTS');
        this.#e2e.createBundle(false, conn.remoteHost).then( // one-time prekeys rationed per address
          (bundle) => conn.send({ v: 1, t: 'bundle', n: frame.n, bundle: bundle as unknown as Record<string, unknown> }),
          (err) => this.#logger.warn({ err: describeError(err) }, 'could not mint a prekey bundle'),
        );
        return;
      }
      case 'bundle':
        this.#bundles.answer(frame.n, frame.bundle);
        return;
      case 'env':
        void receiveEnvelope(this.#receiverComponents(), frame, { conn }).catch((err) => this.#logger.warn({ err: describeError(err) }, 'envelope handling failed'));
        return;
      case 'bye':
        conn.close('PEER_BYE');
        return;
    }
  }
}

/**
 * Starts a node for a home while holding the home's lock (one running node per home); the lock is
 * released if the start fails. `busy` makes the error for a home another process serves.
 */
export async function startLockedNode(opts: NodeOptions, busy: () => Error): Promise<ParleyNode> {
  if (!acquireLock(opts.home)) throw busy();
  try {
    const node = new ParleyNode(opts);
    await node.start();
    return node;
  } catch (err) {
    releaseLock(opts.home);
    throw err;
  }
}

/** Stops a node started with `startLockedNode` and releases its home. */
export async function stopLockedNode(node: ParleyNode): Promise<void> {
  await node.stop();
  releaseLock(node.home);
}

export function addContact(db: Db, selfId: string, input: string, now: number, name?: string): ContactRow {
  const id = parseId(input);
  if (id === selfId) throw NodeError.SELF();
  return upsertContact(db, id, 'added', now, name ?? null);
}

/** The outbox-first write shared by the running node and commands that hand work to it. */
export function queueMessage(db: Db, selfId: string, to: string, text: string, now: number): MessageRow {
  const id = parseId(to);
  if (id === selfId) throw NodeError.SELF();
  if (text.length === 0) throw NodeError.EMPTY_TEXT();
  if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw NodeError.TEXT_TOO_LONG(MAX_TEXT_BYTES);
  const contact = getContact(db, id);
  if (!contact) throw NodeError.UNKNOWN_CONTACT();
  if (contact.state === 'blocked') throw NodeError.BLOCKED();
  const messageId = randomBytes(16).toString('hex');
  writeTx(db, () => {
    if (contact.state === 'request') upsertContact(db, id, 'added', now);
    insertMessage(db, {
      id: messageId, contactId: id, direction: 'out', convSeq: takeOutSeq(db, id), body: text,
      sentAt: now, receivedAt: null, state: 'queued', route: null,
    });
    enqueue(db, messageId, now);
  });
  return getMessage(db, messageId)!;
}

function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}
