import type { Connection } from '../transport/index.js';
import { RELAY_PROTOCOL_VERSION as v, type ClientToRelay, type RelayToClientOut } from '../wire/relay-frames.js';
import type { BlobStore } from './blobs.js';
import { SessionCircuits } from './circuits.js';
import { RelayError } from './errors.js';
import { drained, queuedBytes } from './flow.js';
import { handleFrame, payloadBytes, type RequestContext } from './handlers.js';
import type { RelayLimits } from './limits.js';
import type { RelayLogger } from './logger.js';
import type { MailboxStore, MailOwner, StoredItem } from './mailboxes.js';
import type { RelayMetrics } from './metrics.js';
import type { NextHops } from './next-hop.js';
import type { DhtExit, ExitSession } from './dht-exit.js';
import { TokenBucket, type Clock } from './quota.js';

export type RelayConnection = Connection<RelayToClientOut, ClientToRelay>;

export interface SessionDeps {
  limits: RelayLimits;
  metrics: RelayMetrics;
  mailboxes: MailboxStore;
  blobs: BlobStore;
  hops: NextHops;
  localAddress: string;
  circuits: { open: number; opened: number };
  now: Clock;
  logger: RelayLogger;
  onClosed: (session: RelaySession) => void;
  /** The relay's DHT exit, when it runs one. */
  exit?: DhtExit | null;
  /** Test-only observer (RelayServer.forTest): records nothing unless a test asked. */
  observe?: (session: RelaySession, dir: 'in' | 'out', frame: ClientToRelay | RelayToClientOut) => void;
}

/** How long a connection being thrown out gets to read why, before it is cut. */
const GOODBYE_MS = 1000;

/**
 * One client connection: rate limits, dispatch to the stores, bounded outgoing queue. Whatever this
 * client does wrong costs it its own connection only.
 *
 * The session is its own RequestContext, and what an idle connection never uses (its circuits, its
 * share of the DHT exit, its set of mailboxes) is made on first use: with ten thousand idle clients
 * each closure, Set and object per connection is memory the relay holds for nothing (issue 14: a
 * relay near the splice proxy's memory per idle connection). `deps` is one object the server shares.
 */
export class RelaySession implements MailOwner, RequestContext {
  readonly #conn: RelayConnection;
  readonly #deps: SessionDeps;
  /** The rate limits, made at the first frame (a bucket starts full, as it would be by then). */
  #frames: TokenBucket | null = null;
  #bytes: TokenBucket | null = null;
  /** The opaque tag this connection's source address is counted under. */
  readonly source: string;
  /** The server's count of this connection (what the test-only frame log names it by). */
  readonly serial: number;
  #circuits: SessionCircuits | null = null;
  #exit: ExitSession | null | undefined = undefined;
  #owned: Set<string> | null = null;
  #ending: string | null = null;
  /** The last send stored since the last `accepted` went out (0: none), and whether one is due. */
  #acceptUpTo = 0;
  #acceptDue = false;

  constructor(conn: RelayConnection, deps: SessionDeps, source: string, serial = 0) {
    this.#conn = conn;
    this.#deps = deps;
    this.source = source;
    this.serial = serial;
    conn.forgetHandshake(); // a relay never asks who a client is
    conn.on('frame', (f: ClientToRelay) => this.#onFrame(f));
    conn.on('close', (reason: string) => this.#onClose(reason)); // comes once; `once` would keep a wrapper
  }

  get remoteHost(): string {
    return this.#conn.remoteHost;
  }

  // RequestContext: the relay's stores, and this connection's parts (made on first use).
  get limits(): RelayLimits {
    return this.#deps.limits;
  }
  get mailboxes(): MailboxStore {
    return this.#deps.mailboxes;
  }
  get blobs(): BlobStore {
    return this.#deps.blobs;
  }
  get owner(): MailOwner {
    return this;
  }
  get owned(): Set<string> {
    return (this.#owned ??= new Set());
  }
  get exit(): ExitSession | null {
    if (this.#exit === undefined) this.#exit = this.#deps.exit?.session() ?? null;
    return this.#exit;
  }
  get circuits(): SessionCircuits {
    if (this.#circuits) return this.#circuits;
    const { limits, metrics, hops, localAddress, circuits: registry } = this.#deps;
    const conn = this.#conn;
    return (this.#circuits = new SessionCircuits({
      limits,
      hops,
      localAddress,
      registry,
      drop: (reason) => metrics.count(metrics.drops, reason),
      send: (frame) => this.send(frame),
      fail: (id, code) => {
        metrics.count(metrics.drops, code);
        this.#error(id, code);
      },
      queued: () => queuedBytes(conn),
      onDrain: (resume) => conn.stream.once('drain', resume),
    }));
  }
  /** Answers request `id` with an error code later (an exit request settles after the DHT answers). */
  fail(id: number, code: string): void {
    this.#error(id, code);
  }

  /** A live item for a mailbox this connection owns. Dropped (it stays stored) if the client lags. */
  push(mailbox: string, item: StoredItem): void {
    if (queuedBytes(this.#conn) > this.#deps.limits.dropQueuedBytes) {
      this.#deps.metrics.count(this.#deps.metrics.drops, 'OUT_QUEUE_FULL');
      return;
    }
    this.send({ v, t: 'mail', mailbox, item: item.item, bytes: item.bytes });
  }

  send(frame: RelayToClientOut): void {
    if (this.#ending || this.#conn.closeReason) return;
    if (queuedBytes(this.#conn) > this.#deps.limits.maxQueuedBytes) return this.end('SLOW_READER');
    this.#deps.metrics.count(this.#deps.metrics.framesOut, frame.t);
    this.#deps.observe?.(this, 'out', frame);
    this.#conn.send(frame);
  }

  /** Throws this client out: tells it why (an error frame without id), then closes. */
  end(code: string): void {
    if (this.#ending || this.#conn.closeReason) return;
    this.sendAccepted(); // what was stored stays answered
    this.#ending = code;
    const { metrics } = this.#deps;
    metrics.count(metrics.framesOut, 'error');
    metrics.count(metrics.errors, code);
    this.#conn.send({ v, t: 'error', code });
    this.#conn.end();
    setTimeout(() => this.#conn.close(code), GOODBYE_MS).unref();
  }

  /** Resolves once everything sent so far has left (or the connection closed). */
  flushed(): Promise<void> {
    return drained(this.#conn);
  }

  #onFrame(f: ClientToRelay): void {
    if (this.#ending) return;
    const { metrics } = this.#deps;
    metrics.count(metrics.framesIn, f.t);
    this.#deps.observe?.(this, 'in', f);
    const { limits, now } = this.#deps;
    const t = now(); // one clock read for both buckets (a read costs ~0.1 µs, per frame)
    const byFrames = (this.#frames ??= new TokenBucket(limits.framesPerSecond, limits.frameBurst, now)).take(1, t);
    const byBytes = (this.#bytes ??= new TokenBucket(limits.bytesPerSecond, limits.byteBurst, now)).take(payloadBytes(f), t);
    if (byFrames === 'flood' || byBytes === 'flood') return this.end('FLOOD');
    if (byFrames === 'limited' || byBytes === 'limited') {
      metrics.count(metrics.drops, 'RATE_LIMITED');
      if (f.t === 'circuit-data') return this.#circuits?.close(f.c, 'RATE_LIMITED', true);
      if ('id' in f) this.#error(f.id, RelayError.RATE_LIMITED().code);
      return;
    }
    try {
      handleFrame(f, this);
    } catch (err) {
      if (!RelayError.is(err) || !('id' in f)) throw err;
      metrics.count(metrics.drops, err.code);
      this.#error(f.id, err.code);
    }
  }

  #error(id: number, code: string): void {
    // Sent at once, while the turn's accepted waits for its end: a refused send's error always
    // reaches the client before the accepted that covers the sends after it.
    this.#deps.metrics.count(this.#deps.metrics.errors, code);
    this.send({ v, t: 'error', id, code });
  }

  /** Send request `id` was stored: one cumulative `accepted` per event-loop turn answers every send stored in it. */
  accepted(id: number): void {
    this.#acceptUpTo = id;
    if (this.#acceptDue) return;
    this.#acceptDue = true;
    setImmediate(flushAccepted, this);
  }

  /** Sends the turn's cumulative `accepted` (also when the connection is thrown out). */
  sendAccepted(): void {
    const id = this.#acceptUpTo;
    this.#acceptDue = false;
    if (id === 0) return;
    this.#acceptUpTo = 0;
    this.send({ v, t: 'accepted', id });
  }

  #onClose(reason: string): void {
    const why = this.#ending ?? reason;
    const { metrics, mailboxes, logger } = this.#deps;
    metrics.count(metrics.disconnects, why);
    for (const id of this.#owned ?? []) mailboxes.release(id, this);
    this.#circuits?.closeAll();
    this.#deps.onClosed(this);
    logger.debug({ reason: why }, 'relay connection closed');
  }
}

/** One function for every session (setImmediate passes the session): no closure per connection. */
function flushAccepted(session: RelaySession): void {
  session.sendAccepted();
}
