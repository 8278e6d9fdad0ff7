import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import { parseId, randomBytes, type Identity, type ParleyId } from '../identity/index.js';
import { E2E, type Trust } from '../e2e/index.js';
import { describeError, ParleyError } from '../wire/errors.js';
import { DhtError, DhtNode, lookupIntro, Republisher, INTRO_SALT, DEFAULT_REPUBLISH_MS, type VerifiedIntro } from '../dht/index.js';
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
import { Peers, type DirectEndpoint } from './peers.js';
import { BundleRequests } from './bundle-requests.js';
import { Delivery } from './delivery.js';
import { Router, reachOf } from './router.js';
import { Door, doorKey, mayConnectDirectly } from './door.js';
import { PrekeySchedule } from './prekey-schedule.js';
import { reachableByStrangers, setReachableByStrangers } from './strangers.js';
import { MyRelay, type RelayAddress } from './my-relay.js';
import { isPublicAddress, type MailItem } from '../relay/index.js';
import { RelayPool, relayViews, saveRelayUses, type RelayUse, type RelayView } from './relay-pool.js';
import { learnReachability, type Reachability } from './reachability.js';
import { contentCodec, type CandidatesContent, type Content } from '../wire/content.js';
import { toB64 } from '../wire/bytes.js';
import { Inbound } from './inbound.js';
import { Puncher } from './punch.js';
import { introValue } from './intro.js';
import { describeDhtRoute, ExitAccess, lookupVia, personAccess, type DhtAccess, type DhtRoute, type DhtTraffic } from './dht-access.js';
import { KV } from './kv-keys.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { NodeError } from './errors.js';
import { Contacts, type ContactPatch } from './contacts.js';
import { queueMessage } from './queue.js';
import { AttestationKeeper, Signup } from '../signup/index.js';
import { Rendezvous, type ContactReach, type MyReach } from './rendezvous.js';
import { rendezvousSecret, rendezvousUpdate } from './rendezvous-secrets.js';
import { encodeRelayRef } from '../routing/relay-ref.js';
import { MessageOps } from './messages-ops.js';
import { Disappearing } from './disappearing.js';
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
  /** Relays to reach the DHT through (exits); by default every other relay this node knows. */
  exitRelays?: RelayAddress[];
  /** Unlocks an identity saved with a passphrase. */
  passphrase?: string;
  /** For this run, overrides the saved "reachable directly by strangers" setting (off unless turned on). */
  reachableByStrangers?: boolean;
  /** The clock disappearing messages run out by (default `now`; tests move it forward instead of waiting). */
  expiryNow?: () => number;
  /** File transfer tuning (pacing on relayed routes, how long before a file is said to wait). */
  files?: FileOutboxInit;
}

/** `parley status`'s view of the network, for the person only. */
export interface NetworkStatus extends Reachability {
  /** `starting`: the network part of the start runs in the background (see `startLocal`); `failed`: see `problem`. */
  state: NetworkState;
  /** Why the network did not come up, as a sentence; null unless `failed`. */
  problem: string | null;
  dhtNodes: number;
  relaysInUse: RelayView[];
  /** Where the direct listener listens (this machine's address); null until the network part has started it. */
  listening: { host: string; port: number } | null;
}

export type NetworkState = 'off' | 'starting' | 'up' | 'failed';

/**
 * One running person: their identity, database, Signal sessions, DHT presence, direct links and
 * outbox. Emits `message` (MessageRow) on arrival, `delivered` and `sent` (MessageRow) as states change,
 * `presence` (id, online) when a contact's direct link opens or closes, `updated` (MessageRow) when a
 * message changed in place (deleted for everyone), `removed` (Removed[]) when messages were deleted.
 */
export class ParleyNode extends EventEmitter {
  readonly home: string;
  readonly identity: Identity;
  /** The store, for the API's read-only views (src/api/views.ts); every write goes through a method here. */
  readonly db: Db;
  readonly #opts: NodeOptions;
  /** The run's override of the saved "reachable directly by strangers" setting, until the person chooses. */
  #strangersForRun: boolean | undefined;
  readonly #logger: Logger;
  readonly #now: () => number;
  #e2e: E2E;
  readonly #contacts: Contacts;
  #dht: DhtNode | null = null;
  /** How everything that names an identity reaches the DHT (see dht-access.ts). */
  #access: DhtAccess | null = null;
  #peers: Peers | null = null;
  #delivery: Delivery | null = null;
  #router: Router | null = null;
  #puncher: Puncher | null = null;
  #myRelay: MyRelay | null = null;
  #pool: RelayPool | null = null;
  #learning: Promise<void> | null = null;
  #reached: Reachability | null = null;
  #republisher: Republisher | null = null;
  #keeper: AttestationKeeper | null = null;
  #door: Door | null = null;
  #prekeys: PrekeySchedule | null = null;
  #rendezvous: Rendezvous | null = null;
  /** The network part of the start (see `startLocal`), where it is, and why it failed. */
  #networkUp: Promise<void> | null = null;
  #networkState: NetworkState = 'off';
  #networkProblem: string | null = null;
  #stopping = false;
  /** DHT exit candidates once known; whether identity-linked DHT traffic had to wait for one; my intro mailbox's home. */
  #exits: RelayAddress[] = [];
  #waitedForExit = false;
  #home: RelayAddress | null = null;
  readonly #bundles = new BundleRequests();
  readonly #inbound: Inbound;
  /** Replies' partners: timers, deletes, the outbox's cancel and retry (messages-ops.ts). */
  readonly messages: MessageOps;
  #disappearing: Disappearing | null = null;
  /** File transfers: send, receive, list, cancel, save (emits `file` with a FileView as they change). */
  readonly files: NodeFiles;

  constructor(opts: NodeOptions) {
    super();
    this.#opts = opts;
    this.#strangersForRun = opts.reachableByStrangers;
    this.home = opts.home;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#now = opts.now ?? Date.now;
    ({ identity: this.identity, db: this.db } = openHome(opts.home, opts.passphrase));
    this.#e2e = new E2E({ db: this.db, identity: this.identity, now: () => new Date(this.#now()) });
    this.#contacts = new Contacts({ db: this.db, self: this.id, now: this.#now, e2e: () => this.#e2e });
    this.files = new NodeFiles(
      {
        db: this.db,
        home: this.home,
        selfId: this.id,
        now: this.#now,
        logger: this.#logger,
        router: () => this.#router,
        emit: (v) => this.emit('file', v),
        removed: (r) => this.emit('file-removed', r),
      },
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
    this.messages = new MessageOps({
      db: this.db,
      now: this.#now,
      kick: () => this.#delivery?.kick(),
      onRemoved: (removed) => this.emit('removed', removed),
      onUpdated: (m) => this.emit('updated', m),
      onCleared: (contactId) => this.files.removal.clearConversation(contactId),
    });
  }

  get id(): ParleyId {
    return this.identity.id;
  }

  /** Fully up: the local part, then the network (DHT joined, relay connected, intro record published). Rejects if the network part fails. */
  async start(): Promise<void> {
    this.startLocal();
    await this.networkUp();
  }

  /**
   * The local part of a start, at once: the store is open (since the constructor), disappearing
   * timers run, and what is sent waits in the outbox. The network part (DHT bootstrap, relays,
   * direct listener, publishing, then delivery of the outbox) comes up in the background:
   * `networkUp()` resolves once it is up, `network().state` says where it is and emits `network`
   * (state) as it changes. A failure is logged and kept as a sentence (`network().problem`); it
   * rejects only `networkUp()`, for whoever awaits it, never as an unhandled rejection.
   */
  startLocal(): void {
    if (this.#networkUp) return;
    this.#disappearing = new Disappearing({
      db: this.db,
      now: this.#opts.expiryNow ?? this.#now,
      logger: this.#logger,
      onRemoved: (r) => this.emit('removed', r),
      expireFiles: (now) => this.files.removal.expire(now),
    });
    this.#disappearing.start();
    this.#setNetwork('starting');
    this.#networkUp = this.#startNetwork().then(
      () => this.#setNetwork('up'),
      (err: unknown) => {
        if (this.#stopping) this.#setNetwork('off');
        else {
          this.#logger.warn({ err: describeError(err) }, 'the network part of the start failed');
          this.#setNetwork('failed', networkProblem(err));
        }
        throw err;
      },
    );
    this.#networkUp.catch(() => {}); // handled: the state says it; `networkUp()` still rejects
  }

  /** Resolves once the network part of the start is up (DHT joined, relay connected, intro record published). */
  networkUp(): Promise<void> {
    return this.#networkUp ?? Promise.reject(NodeError.NOT_STARTED());
  }

  #setNetwork(state: NetworkState, problem: string | null = null): void {
    this.#networkState = state;
    this.#networkProblem = problem;
    this.emit('network', state);
  }

  /** Between the steps of the network part: a stop that came meanwhile ends it there. */
  #stillStarting(): void {
    if (this.#stopping) throw NodeError.NOT_STARTED();
  }

  async #startNetwork(): Promise<void> {
    const host = this.#opts.host ?? '127.0.0.1';
    this.#dht = new DhtNode({ bootstrap: this.#opts.bootstrap, host, logger: this.#logger });
    await this.#dht.start();
    this.#stillStarting();
    this.#peers = await this.#startPeers(host);
    this.#stillStarting();
    this.#door = new Door({
      db: this.db,
      identity: this.identity,
      peers: this.#peers,
      logger: this.#logger,
      onRotated: () => {
        void this.#republisher?.refresh().catch(() => {});
        void this.#rendezvous?.refresh();
      },
    });
    await this.#door.review(); // settings changed while the node was down
    this.#stillStarting();
    this.#pool = new RelayPool(
      {
        db: this.db,
        dht: this.#dht,
        logger: this.#logger,
        localAddress: host,
        allowPrivate: host !== '0.0.0.0' && host !== '::' && !isPublicAddress(host),
        now: this.#now,
        onFound: () => this.#relayFound(),
      },
      { named: this.#opts.relays ?? [], keys: this.#opts.relayKeys ?? [] },
    );
    const relay = await this.#pool.start(); // named relays, else the remembered guard, else relays found in the DHT
    this.#stillStarting();
    // Relays other than the guard, for the home of my mailbox and the DHT exit: the pool's pick in
    // another /16 first, then the rest of what is named or known.
    // Named relays are the whole choice; else the ones found, leaving out any that failed its last
    // probe (a home or exit there would hold everything up).
    const named = this.#opts.relays ?? [];
    const known = named.length ? named : this.#pool.list().filter((r) => !r.excluded && r.failuresInARow === 0);
    const hop = named.length ? null : this.#pool.otherHop();
    const others = this.#otherRelays(relay, known, hop);
    // Not reachable by strangers: the mailbox the intro record names lives on another relay (§4).
    const home = relay && others.length > 0 && !this.reachableByStrangers() ? others[0]! : null;
    // The relays whose reflectors tell the puncher how its NAT maps ports: the guard, then the others.
    const relays = relay ? [relay, ...others] : others;
    if (relay) {
      this.#myRelay = new MyRelay(
        { db: this.db, logger: this.#logger, localAddress: host, bundle: async () => Buffer.from(JSON.stringify(await this.#e2e.createBundle(true))), home },
        relay,
      );
      this.#myRelay.on('mail', (m: MailItem) => void this.#inbound.onMail(m));
      this.#myRelay.on('up', (rttMs: number) => {
        this.#pool?.report(relay.publicKey, true, rttMs);
        void this.#republisher?.refresh().catch(() => {});
        void this.#rendezvous?.refresh();
      });
      this.#myRelay.on('failed', () => this.#pool?.report(relay.publicKey, false));
    }
    this.#access = this.#dhtAccess(relay, others);
    this.#saveRelayUses(relay, home);
    this.#router = new Router({
      db: this.db,
      e2e: this.#e2e,
      peers: this.#peers,
      bundles: this.#bundles,
      identity: this.identity,
      logger: this.#logger,
      myRelay: this.#myRelay,
      localAddress: host,
      lookup: (id) => this.#reach(id),
      detour: () => (this.reachableByStrangers() ? null : (others[0] ?? null)),
      punch: () => this.#puncher,
    });
    this.#puncher = this.#makePuncher(host, relays);
    this.#delivery = new Delivery(
      {
        db: this.db,
        router: this.#router,
        logger: this.#logger,
        now: this.#now,
        onSent: (id) => this.emit('sent', getMessage(this.db, id)),
        updates: (id) => [this.#reachUpdate(id), rendezvousUpdate(this.db, id)].filter((u) => u !== null),
        onWaiting: (id) => this.emit('waiting', getMessage(this.db, id)),
      },
      { retry: this.#opts.retry ?? DEFAULT_RETRY },
    );
    const peers = this.#peers;
    this.#republisher = new Republisher({
      dht: this.#access,
      keyPair: this.identity.identityKey,
      salt: INTRO_SALT,
      // Strangers learn the relay and a mailbox; the direct endpoint only when the person chose to be
      // reachable directly by strangers (never because no relay is at hand).
      value: () =>
        introValue(
          this.identity,
          {
            relay: this.#myRelay?.ref() ?? null,
            direct: this.reachableByStrangers() && this.#advertised() ? { ...this.#advertised()!, transportKey: peers.publicKey() } : null,
          },
          this.#now(),
        ),
      intervalMs: this.#opts.republishMs ?? DEFAULT_REPUBLISH_MS,
      logger: this.#logger,
    });
    this.#prekeys = new PrekeySchedule({ e2e: this.#e2e, logger: this.#logger, publish: async () => this.#myRelay?.refreshBundle() });
    await this.#prekeys.start(); // before the relay takes the bundle: it names the current keys
    await this.#myRelay?.start();
    this.#stillStarting();
    const reflectors = [relay, this.#pool.otherHop()].filter((r): r is RelayAddress => r !== null);
    this.#learning = learnReachability(host, this.#peers.address(), reflectors).then((r) => {
      this.#reached = r; // for `parley status`, and the address to give when listening on all interfaces
      if (this.reachableByStrangers()) void this.#republisher?.refresh().catch(() => {});
    });
    await this.#republisher.start();
    this.#stillStarting();
    this.#rendezvous = new Rendezvous(
      { dht: this.#access, db: this.db, self: this.id, reachFor: (id) => this.#myReachFor(id), now: this.#now, logger: this.#logger },
      { intervalMs: this.#opts.republishMs ?? DEFAULT_REPUBLISH_MS },
    );
    void this.#rendezvous.start(); // in the background: one put per contact
    this.#keeper = new AttestationKeeper({ dht: this.#access, db: this.db, logger: this.#logger, now: this.#now });
    await this.#keeper.start();
    this.#stillStarting();
    this.#delivery.start();
    this.files.start();
  }

  /** Sign-up by email or phone, contact discovery and unlinking (see src/signup); this node republishes the attestations. */
  signup(fetchImpl?: typeof fetch): Signup {
    if (this.#networkState === 'starting' || this.#networkState === 'failed') throw NodeError.NETWORK_NOT_UP(this.#networkState === 'failed');
    if (!this.#access || !this.#keeper) throw NodeError.NOT_STARTED();
    return new Signup({
      db: this.db,
      identity: this.identity,
      dht: this.#access,
      now: this.#now,
      keeper: this.#keeper,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
  }

  async stop(): Promise<void> {
    // A network part still starting ends at its next step; then everything it started stops below.
    this.#stopping = true;
    await this.#networkUp?.catch(() => {});
    this.#delivery?.stop();
    this.#disappearing?.stop();
    const files = this.files.stop(); // transfers in flight end as their links close below
    this.#prekeys?.stop();
    await this.#keeper?.stop();
    await this.#rendezvous?.stop();
    await this.#republisher?.stop();
    await this.#myRelay?.stop();
    await this.#pool?.stop();
    await this.#learning;
    await this.#router?.stop();
    await this.#puncher?.stop();
    await this.#peers?.stop();
    await this.#delivery?.drained();
    await files;
    await this.#dht?.stop();
    this.db.close();
  }

  /** How this node is connected, for its person only (`parley status`): never published. */
  network(): NetworkStatus {
    const reach = this.#reached ?? { publicAddress: null, nat: null, direct: { possible: false, why: 'still asking the relays where they see you' } };
    return {
      state: this.#networkState,
      problem: this.#networkProblem,
      dhtNodes: this.#dht?.nodeCount() ?? 0,
      relaysInUse: this.relays().filter((r) => r.uses.length > 0),
      listening: this.#peers?.address() ?? null,
      ...reach,
    };
  }

  /** The relays this node knows, what it measured of them and what it uses them for. */
  relays(): RelayView[] {
    return this.#pool?.list() ?? relayViews(this.db);
  }

  async #lookup(id: string): Promise<VerifiedIntro> {
    return lookupIntro(this.#access!, parseId(id), Math.floor(this.#now() / 1000));
  }

  /**
   * Relays other than mine (`exitRelays`, or every other one known), once each, from a random one on:
   * home and exit candidates. `first`, the pool's pick in another /16 than the guard, leads when there is one.
   */
  #otherRelays(guard: RelayAddress | null, known: RelayAddress[], first: RelayAddress | null = null): RelayAddress[] {
    const same = (a: RelayAddress, b: RelayAddress) => a.host === b.host && a.port === b.port;
    const candidates: RelayAddress[] = [];
    for (const r of this.#opts.exitRelays ?? known) {
      if ((!guard || !same(r, guard)) && !candidates.some((c) => same(c, r))) candidates.push({ host: r.host, port: r.port, publicKey: r.publicKey });
    }
    const start = candidates.length ? randomBytes(1)[0]! % candidates.length : 0;
    const rotated = [...candidates.slice(start), ...candidates.slice(0, start)];
    const lead = first && !this.#opts.exitRelays && (!guard || !same(first, guard)) ? first : null;
    return lead ? [lead, ...rotated.filter((r) => !same(r, lead))] : rotated;
  }

  /**
   * A person not reachable by strangers reaches the DHT through my relay and an exit relay, never
   * from their own address while one is at hand. With three relays or more, the exit is not the
   * home of my mailbox (`others[0]`).
   */
  #dhtAccess(guard: RelayAddress | null, others: RelayAddress[]): DhtAccess {
    const myRelay = this.#myRelay;
    let exit: ExitAccess | null = null;
    // With one relay known, the exit is made once the pool finds a second (relays found in the DHT only).
    const exitNow = (): ExitAccess | null => {
      if (exit || !guard || !myRelay) return exit;
      const found =
        others.length || this.#opts.relays?.length
          ? others
          : this.#otherRelays(
              guard,
              this.#pool!.list().filter((r) => !r.excluded && r.failuresInARow === 0),
              this.#pool!.otherHop(),
            );
      const exits = [...found.slice(1), ...found.slice(0, 1)];
      if (exits.length) exit = new ExitAccess({ guard: () => myRelay.client, guardAddress: guard, exits, logger: this.#logger });
      this.#exits = exits;
      return exit;
    };
    const access = personAccess({
      dht: this.#dht!,
      exit: exitNow,
      hasRelay: guard !== null,
      reachableByStrangers: () => this.reachableByStrangers(),
      onWait: () => {
        this.#waitedForExit = true;
        this.#pool?.lookAgainSoon();
      },
    });
    if (access.route().via === 'waiting') this.#logger.info('no second relay is known to exit through: DHT lookups and publishing wait for one');
    return access;
  }

  /**
   * The pool found a relay: a relayed person's mailbox still on the guard moves to it (§4); if DHT
   * traffic was waiting for an exit and now has one, everything held back goes now, my records once
   * the mailbox they name has moved.
   */
  #relayFound(): void {
    const moved = this.#moveHome();
    if (!this.#waitedForExit || this.#access?.route().via !== 'exit') return;
    this.#waitedForExit = false;
    this.#saveRelayUses(this.#pool?.guard ?? null, null);
    void moved.then(() => {
      void this.#republisher?.refresh().catch(() => {});
      void this.#rendezvous?.refresh();
    });
    void this.#keeper?.refresh().catch(() => {});
    this.#delivery?.kick();
  }

  /** Moves my intro mailbox off the guard once a second relay is known, as `start` would have placed it (my-relay.ts). */
  async #moveHome(): Promise<void> {
    const my = this.#myRelay;
    const guard = my?.relay;
    if (!this.#pool || !guard || !my || my.home || this.reachableByStrangers() || this.#opts.relays?.length) return;
    try {
      const known = this.#pool.list().filter((r) => !r.excluded && r.failuresInARow === 0);
      const home = this.#otherRelays(guard, known, this.#pool.otherHop())[0];
      if (home && (await my.moveHome(home))) this.#saveRelayUses(guard, home);
    } catch (err) {
      this.#logger.info({ err: describeError(err) }, 'could not move my mailbox off my relay');
    }
  }

  /** What `parley relays` says each relay is used for: only what this run really does with it. */
  #saveRelayUses(guard: RelayAddress | null, home: RelayAddress | null): void {
    const uses: Record<string, RelayUse[]> = {};
    const add = (r: RelayAddress, use: RelayUse) => (uses[r.publicKey] ??= []).push(use);
    if (guard) add(home ?? this.#home ?? guard, 'intro-mailbox');
    this.#home = home ?? this.#home;
    if (this.#access?.route().via === 'exit') for (const r of this.#exits) add(r, 'dht-exit');
    saveRelayUses(this.db, uses);
  }

  /** Where lookups and publishing that name an identity leave from now (for status and receipts). */
  dhtRoute(): DhtRoute {
    if (!this.#access) throw NodeError.NOT_STARTED();
    return this.#access.route();
  }

  /** The same, as the privacy summary says it (a warning when it leaves from this device's address). */
  dhtTraffic(): DhtTraffic {
    if (!this.#access)
      return {
        private: true,
        waiting: true,
        sentence:
          this.#networkState === 'failed'
            ? 'Your DHT traffic has not started: the network did not come up.'
            : 'Your DHT traffic has not started yet: Parley is still connecting to the network.',
      };
    return describeDhtRoute(this.dhtRoute());
  }

  /**
   * A contact's current reach: their rendezvous record once we share a secret (no DHT node can tell
   * whose it is, nor who asks for whom); the intro record, which names them, only for a first
   * contact or when no rendezvous record of theirs is found (they have not published one since we
   * met, or their DHT nodes lost it).
   */
  async #reach(id: string): Promise<ContactReach> {
    const via = lookupVia(this.dhtRoute()); // for the route receipt: where these lookups leave from
    const found = await this.#rendezvous?.lookup(id).catch((err: unknown) => {
      this.#logger.info({ err: describeError(err) }, 'rendezvous lookup failed');
      return null;
    });
    if (found?.relay || found?.endpoint) return { ...found, found: { record: 'rendezvous', ...(via ? { via } : {}) } };
    if (!rendezvousSecret(this.db, this.id, id)) return { ...(await this.#lookup(id)), found: { record: 'intro', ...(via ? { via } : {}) } };
    this.#logger.info('no rendezvous record of a contact was found; falling back to their intro record');
    const intro = await this.#lookup(id).catch((err: unknown) => {
      if (!DhtError.is(err) || err.code !== 'NO_RECORD') throw err;
      throw NodeError.UNREACHABLE('neither a rendezvous record nor an intro record of theirs is in the DHT: they may have been offline for days');
    });
    return { ...intro, found: { record: 'intro', fallback: true, ...(via ? { via } : {}) } };
  }

  /** What my rendezvous record for this contact says: my relay and mailbox, my direct endpoint only if they are `direct`. */
  #myReachFor(id: string): MyReach | null {
    const ref = this.#myRelay?.ref() ?? null;
    const peers = this.#peers;
    const direct = getContact(this.db, id)?.visibility === 'direct' && peers;
    if (!ref && !direct) return null;
    return {
      ...(ref ? { relay: encodeRelayRef(ref) } : {}),
      ...(direct ? { endpoint: `${peers.address().host}:${peers.address().port}`, transportKey: peers.publicKey() } : {}),
    };
  }

  /** Where my direct listener is reached: its address, or (on all interfaces) the public address a relay saw, with its port. */
  #advertised(): { host: string; port: number } | null {
    const ep = this.#peers!.address();
    if (ep.host !== '0.0.0.0' && ep.host !== '::') return ep;
    const seen = this.#reached?.publicAddress;
    return seen ? { host: seen.host, port: ep.port } : null;
  }

  /** Gives a `direct` contact my direct reach (and withdraws it when they become `relayed`), once per change. */
  #reachUpdate(id: string): { content: Content; commit: () => void } | null {
    // Without relays a reach could not follow a move (no route to say so): only an intro record
    // published with consent ("reachable directly by strangers") names the endpoint then.
    if (!this.#myRelay || !this.#peers) return null;
    const contact = getContact(this.db, id);
    const ep = this.#advertised();
    if (contact?.visibility === 'direct' && !ep) return null; // listening on all interfaces: the public address is not known yet
    const reach =
      contact?.visibility === 'direct'
        ? { v: 1 as const, t: 'reach' as const, endpoint: `${ep!.host}:${ep!.port}`, transportKey: toB64(this.#peers.publicKey()) }
        : { v: 1 as const, t: 'reach' as const };
    const sent = contentCodec.encode(reach).toString('base64');
    const key = KV.reachSent(id);
    const last = getKv(this.db, key);
    if (last === sent || (last === undefined && contact?.visibility !== 'direct')) return null;
    return { content: reach, commit: () => setKv(this.db, key, sent) };
  }

  /** Hole punching for `direct` contacts behind NATs; the relays' UDP reflectors show my public mapping. */
  #makePuncher(host: string, relays: RelayAddress[]): Puncher {
    const router = this.#router!;
    const reflectors = [...new Map(relays.map((r) => [`${r.host}:${r.port}`, { host: r.host, port: r.port }])).values()].slice(0, 3);
    return new Puncher({
      peers: this.#peers!,
      logger: this.#logger,
      host,
      reflectors: () => reflectors,
      keyPair: () => doorKey(this.db, this.identity).forNoise(),
      bothDirect: (id) => router.bothDirect(id),
      iAmDirect: (id) => router.iAmDirect(id),
      signal: (id, content) => router.signal(id, content),
      selfId: this.id,
      now: this.#now,
    });
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
      onRendezvous: (from: string, needMine: boolean) => this.#onRendezvous(from, needMine),
      onCandidates: (from: string, content: CandidatesContent) => this.#puncher?.onCandidates(from, content),
      onUpdated: (m: MessageRow) => this.emit('updated', m),
      files: this.files.inbox,
    };
  }

  /**
   * Their half of our rendezvous secret arrived: publish my record for them now, and send them my
   * half if they lack it (only to a contact I added: a stranger's request waits for my answer).
   */
  #onRendezvous(from: string, needMine: boolean): void {
    void this.#rendezvous?.publish(from);
    const update = rendezvousUpdate(this.db, from);
    if (!needMine || !update || getContact(this.db, from)?.state !== 'added') return;
    this.#router
      ?.send(from, [update.content], () => update.commit())
      .catch((err: unknown) => this.#logger.info({ err: describeError(err) }, 'could not send my rendezvous half; it goes with the next message'));
  }

  /** Test-only hooks (see Peers.forTest): never used by the app. */
  forTest(): {
    observeInbound: () => string[];
    transportKey: () => Buffer;
    rotatePrekeys: () => Promise<void>;
    punchStats: () => Puncher['stats'];
    speakPeer: ReturnType<Peers['forTest']>['speak'];
  } {
    const peers = this.#peers;
    const prekeys = this.#prekeys;
    const puncher = this.#puncher;
    if (!peers || !prekeys || !puncher) throw NodeError.NOT_STARTED();
    return {
      observeInbound: peers.forTest().observeRemotes,
      transportKey: () => peers.publicKey(),
      rotatePrekeys: () => prekeys.tick(),
      punchStats: () => ({ ...puncher.stats }),
      speakPeer: peers.forTest().speak,
    };
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
    const row = this.#contacts.add(input, name);
    this.#noLongerAStranger(row.id);
    return row;
  }

  contacts(): ContactRow[] {
    return this.#contacts.list();
  }

  /** Accepts a contact request, naming them (`name`: they only offered one, unverified). */
  accept(id: string, name?: string): ContactRow {
    const row = this.#contacts.accept(id);
    this.#noLongerAStranger(row.id);
    return name ? this.#contacts.patch(row.id, { name }) : row;
  }

  /**
   * A stranger who wrote to my published address (I am reachable directly by strangers) holds a
   * direct link. Once added, accepted or answered they are a contact, `relayed` unless I choose
   * otherwise, and that link must close now, not at the next door review.
   */
  #noLongerAStranger(id: string): void {
    if (this.#peers && !this.#peers.mayConnect(id)) this.#peers.drop(id, 'NOT_DIRECT');
  }

  /** Whether my intro record carries my direct endpoint, for anyone to read (off unless turned on). */
  reachableByStrangers(): boolean {
    return this.#strangersForRun ?? reachableByStrangers(this.db);
  }

  /**
   * Turns "reachable directly by strangers" on or off (saved) and republishes the intro record. The
   * person's explicit choice replaces any override this run was started with.
   */
  async setReachableByStrangers(on: boolean): Promise<void> {
    setReachableByStrangers(this.db, on);
    this.#strangersForRun = undefined;
    await this.#door?.review(); // turned off: strangers' direct links close
    if (!on) await this.#moveHome(); // relayed now: my intro mailbox leaves my relay first (§4)
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
    // The direct endpoint comes or goes; a blocked contact's record is emptied.
    if (patch.visibility !== undefined || patch.blocked !== undefined) void this.#rendezvous?.publish(row.id);
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

  /** Writes the message to the outbox (before any attempt) and starts delivering it; `replyTo` quotes a message. */
  send(to: string, text: string, opts: { replyTo?: string | undefined } = {}): MessageRow {
    // While Delivery runs, the row's fsync is its encryption's, before it leaves (queue.ts).
    const row = queueMessage(this.db, this.id, to, text, this.#now(), { ...opts, sync: this.#delivery?.running ? 'with-send' : 'now' });
    this.#noLongerAStranger(row.contact_id); // answering a request makes them a contact
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
    const intro = await this.#reach(id);
    if (!intro.endpoint || !intro.transportKey) return null;
    const [host, port] = splitEndpoint(intro.endpoint);
    return { host, port, transportKey: intro.transportKey };
  }
}

/** Why the network part of a start failed, as `parley status` and the run's log say it. */
function networkProblem(err: unknown): string {
  const why = ParleyError.is(err) ? err.message : describeError(err);
  return `the network did not come up (${why}); what you send waits in the outbox: restart Parley to try again`;
}

function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}
