import { Ed25519KeyPair, randomBytes } from '../identity/index.js';
import { Listener, type KeyPair } from '../transport/index.js';
import { relayServerCodec, type ClientToRelay, type RelayToClientOut } from '../wire/relay-frames.js';
import { BlobStore } from './blobs.js';
import { describeRelay, type RelayDescriptor } from './descriptor.js';
import { configuredRelays, type RelayDirectory } from './directory.js';
import { resolveLimits, type RelayLimits } from './limits.js';
import { silentLogger, type RelayLogger } from './logger.js';
import { MailboxStore } from './mailboxes.js';
import { MetricsEndpoint } from './metrics-http.js';
import { NextHops } from './next-hop.js';
import { prometheusText, RelayMetrics, type RelayMetricsSnapshot } from './metrics.js';
import type { Clock } from './quota.js';
import { RelaySession, type RelayConnection, type SessionDeps } from './session.js';
import { SourceShares } from './shares.js';
import { sourceOf } from '../transport/index.js';
import { UdpReflector } from './udp-reflector.js';
import { DhtExit, type ExitDht } from './dht-exit.js';

export interface RelayServerOptions {
  host: string;
  port?: number;
  /** The address to publish in the descriptor when `host` is a wildcard (0.0.0.0, ::). */
  announceHost?: string;
  /** The relay's static Noise key (what its descriptor publishes); a fresh one by default. */
  keyPair?: KeyPair;
  now?: Clock;
  logger?: RelayLogger;
  limits?: Partial<RelayLimits>;
  /** The relays circuits may lead to (the DHT's descriptors, the operator's list); none by default. */
  relays?: RelayDirectory;
  /** Closed local test networks only: circuits may lead to relays on loopback or private addresses. */
  allowPrivateHops?: boolean;
  /**
   * Addresses of relays whose clients' circuits arrive here: each of their connections counts as a
   * source of its own (else all of a relay's users would share one address's share).
   */
  peerRelayHosts?: string[];
  /** Serve Prometheus text at `GET /metrics` on this port (0: any free port) of `metricsHost`. */
  metricsPort?: number;
  metricsHost?: string;
  /** How often expired items, blobs and mailboxes are swept. */
  sweepIntervalMs?: number;
  /** The relay's DHT node: with it, the relay is a DHT exit for clients that come through a circuit (dht-exit.ts). */
  dht?: ExitDht;
  /** Answer UDP address probes on the same port number (for hole punching); on by default. */
  udpReflector?: boolean;
}

/** What tests may look at and nothing else does: remote addresses are recorded only when asked. */
export interface RelayServerForTest {
  /** Starts recording the remote address of every connection opened from now on; returns the live list. */
  observeRemotes(): string[];
  /** Everything the relay holds for people (mailbox items, blobs and their ids), as one buffer. */
  dumpStored(): Buffer;
  /** Starts recording every frame of every connection (its source address, its number, the frame); returns the live list. */
  observeFrames(): RelayFrameSeen[];
}

/** One frame as the relay saw it (test-only, see `observeFrames`). */
export interface RelayFrameSeen {
  source: string;
  connection: number;
  dir: 'in' | 'out';
  frame: ClientToRelay | RelayToClientOut;
  time: number;
}

/**
 * A Parley relay: mailboxes, blobs and circuits over Noise IK, all in memory, all bounded. Logs and
 * metrics hold counters and reason codes, never an address, an id or content.
 */
export class RelayServer {
  readonly #peerRelays: Set<string>;
  #peerConnections = 0;
  readonly publicKey: Buffer;
  readonly limits: RelayLimits;
  readonly #opts: RelayServerOptions;
  readonly #now: Clock;
  readonly #logger: RelayLogger;
  readonly #metrics = new RelayMetrics();
  readonly #mailboxes: MailboxStore;
  readonly #blobs: BlobStore;
  readonly #shares: SourceShares;
  readonly #circuits = { open: 0, opened: 0 };
  readonly #listener: Listener<RelayToClientOut, ClientToRelay>;
  #endpoint: MetricsEndpoint | null = null;
  #reflector: UdpReflector | null = null;
  #sweeper: NodeJS.Timeout | null = null;
  #observed: string[] | null = null;
  #frameLog: RelayFrameSeen[] | null = null;
  readonly #sessions = new Set<RelaySession>();
  readonly #hops: NextHops;
  readonly #exit: DhtExit | null;
  #stopped = false;

  constructor(opts: RelayServerOptions) {
    this.#opts = opts;
    this.#peerRelays = new Set((opts.peerRelayHosts ?? []).map(sourceOf));
    this.#now = opts.now ?? Date.now;
    this.#logger = opts.logger ?? silentLogger;
    this.limits = resolveLimits(opts.limits);
    const keyPair = opts.keyPair ?? Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    this.publicKey = keyPair.publicKey;
    this.#hops = new NextHops({
      directory: opts.relays ?? configuredRelays([]),
      allowPrivateHops: opts.allowPrivateHops ?? false,
      localAddress: opts.host,
      timeoutMs: this.limits.circuitConnectTimeoutMs,
      now: this.#now,
    });
    this.#exit = opts.dht ? new DhtExit(opts.dht, { now: this.#now }) : null;
    const drop = (reason: string, n: number) => this.#metrics.count(this.#metrics.drops, reason, n);
    this.#shares = new SourceShares(this.limits);
    const deps = { limits: this.limits, shares: this.#shares, now: this.#now, drop };
    this.#mailboxes = new MailboxStore(deps);
    this.#blobs = new BlobStore(deps);
    this.#listener = new Listener(
      relayServerCodec,
      {
        host: opts.host,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        keyPair,
        maxConnections: this.limits.maxConnections,
        maxHandshakes: this.limits.maxHandshakes,
        connectionsPerSource: this.limits.connectionsPerSource,
        handshakesPerSource: this.limits.handshakesPerSource,
        handshakeTimeoutMs: this.limits.handshakeTimeoutMs,
        idleTimeoutMs: this.limits.idleTimeoutMs,
        maxQueuedBytes: this.limits.maxQueuedBytes,
        onRejected: (reason) => this.#rejected(reason),
        exemptSource: (address) => this.#peerRelays.has(sourceOf(address)),
      },
      (conn) => this.#accept(conn),
    );
  }

  async start(): Promise<void> {
    await this.#listener.start();
    if (this.#opts.udpReflector !== false) {
      const reflector = new UdpReflector({ ...this.address(), logger: this.#logger, publicKey: this.publicKey });
      this.#reflector = await reflector.start().then(
        () => reflector,
        () => null,
      ); // port taken over UDP: no reflector
    }
    if (this.#opts.metricsPort !== undefined) {
      this.#endpoint = new MetricsEndpoint(this.#opts.metricsHost ?? '127.0.0.1', this.#opts.metricsPort, () => prometheusText(this.metrics()));
      await this.#endpoint.start();
    }
    this.#sweeper = setInterval(() => this.#sweep(), this.#opts.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
    this.#logger.info({ maxConnections: this.limits.maxConnections }, 'relay started');
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    await this.#endpoint?.stop();
    this.#endpoint = null;
    await this.#reflector?.stop();
    for (const session of this.#sessions) session.end('SHUTDOWN');
    const flushed = Promise.all([...this.#sessions].map((s) => s.flushed()));
    await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    await this.#listener.stop();
    this.#mailboxes.clear();
    this.#blobs.clear();
    this.#logger.info({ accepted: this.#metrics.accepted }, 'relay stopped');
  }

  address(): { host: string; port: number } {
    return this.#listener.address();
  }

  metricsAddress(): { host: string; port: number } | null {
    return this.#endpoint?.address() ?? null;
  }

  descriptor(): RelayDescriptor {
    const { host, port } = this.address();
    return describeRelay(this.#opts.announceHost ?? host, port, this.publicKey, this.limits);
  }

  metrics(): RelayMetricsSnapshot {
    let open = 0;
    for (const c of this.#listener.connections) if (c.opened) open++;
    return this.#metrics.snapshot({
      connectionsOpen: open,
      circuits: { ...this.#circuits },
      stored: { ...this.#mailboxes.stats(), ...this.#blobs.stats() },
    });
  }

  forTest(): RelayServerForTest {
    return {
      observeRemotes: () => (this.#observed ??= []),
      observeFrames: () => (this.#frameLog ??= []),
      dumpStored: () => {
        const parts: Buffer[] = [];
        for (const { id, bytes } of [...this.#mailboxes.dump(), ...this.#blobs.dump()]) parts.push(Buffer.from(id), bytes);
        return Buffer.concat(parts);
      },
    };
  }

  /** What every session shares: one object for the server, not one per connection. */
  #sessionDeps: SessionDeps | null = null;

  #accept(conn: RelayConnection): void {
    this.#metrics.accepted++;
    this.#observed?.push(conn.remoteHost);
    this.#sessionDeps ??= {
      limits: this.limits,
      metrics: this.#metrics,
      mailboxes: this.#mailboxes,
      blobs: this.#blobs,
      hops: this.#hops,
      localAddress: this.#opts.host,
      circuits: this.#circuits,
      now: this.#now,
      logger: this.#logger,
      onClosed: (s) => this.#sessions.delete(s),
      exit: this.#exit,
      observe: (s, dir, frame) => this.#frameLog?.push({ source: s.remoteHost, connection: s.serial, dir, frame, time: Date.now() }),
    };
    // A peer relay's connections each carry someone else's circuit: each is its own source.
    const source = this.#peerRelays.has(sourceOf(conn.remoteHost))
      ? `${this.#shares.tagFor(conn.remoteHost)}.${++this.#peerConnections}`
      : this.#shares.tagFor(conn.remoteHost);
    this.#sessions.add(new RelaySession(conn, this.#sessionDeps, source, this.#metrics.accepted));
  }

  #rejected(reason: string): void {
    this.#metrics.count(this.#metrics.disconnects, reason);
    this.#logger.debug({ reason }, 'relay handshake rejected');
  }

  #sweep(): void {
    this.#mailboxes.sweep();
    this.#blobs.sweep();
    this.#logger.debug(this.metrics().stored, 'relay swept');
  }
}
