import DHT from 'bittorrent-dht';
import pino, { type Logger } from 'pino';
import { describeError } from '../wire/errors.js';
import { DhtError, type RejectReason } from './errors.js';
import { parseHostPort, type HostPort } from './host-port.js';
import { SocketGuard, type SocketCounters } from './socket-guard.js';
import { defaultVerify, guardedVerify, type Ed25519Verify } from './verify.js';
import { getMutable, putMutable, type MutableLookup, type PutMutableInput } from './mutable.js';
import { targetOf, type MutableRecord } from './bep44.js';
import { PendingOperations } from './pending.js';
import { announcePeer, lookupPeers } from './peers.js';
import { bootstrapped, listen } from './startup.js';
import { sweep } from './sweep.js';
import { DEFAULTS, type DhtNodeOptions } from './options.js';

export type { DhtNodeOptions };

export interface DhtStats extends SocketCounters {
  nodes: number;
  rejected: Record<RejectReason, number>;
}

/** One node of the Mainline DHT (bittorrent-dht 11): BEP44 mutable put/get with Parley's checks. */
export class DhtNode {
  readonly #opts: DhtNodeOptions;
  readonly #logger: Logger;
  readonly #verify: Ed25519Verify;
  readonly #ops: PendingOperations;
  readonly #rejected: Record<RejectReason, number> = { 'bad signature': 0, 'wrong key': 0, malformed: 0 };
  #dht: DHT | null = null;
  #guard: SocketGuard | null = null;

  constructor(opts: DhtNodeOptions) {
    if (!Array.isArray(opts.bootstrap)) throw DhtError.BAD_BOOTSTRAP();
    for (const entry of opts.bootstrap) if (!parseHostPort(entry)) throw DhtError.BAD_BOOTSTRAP();
    this.#opts = opts;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#verify = opts.verify ?? defaultVerify;
    this.#ops = new PendingOperations(opts.operationTimeoutMs ?? DEFAULTS.operationTimeoutMs);
  }

  /**
   * Listens, then (with a bootstrap list) waits until the bootstrap lookup ends or goes quiet (see
   * `bootstrapped`), at most `readyTimeoutMs`.
   */
  async start(): Promise<void> {
    if (this.#dht) return;
    const bootstrap = [...this.#opts.bootstrap];
    const dht = new DHT({
      bootstrap: bootstrap.length > 0 ? bootstrap : false,
      verify: guardedVerify(this.#verify),
      timeout: this.#opts.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs,
      concurrency: DEFAULTS.concurrency,
    });
    this.#dht = dht;
    this.#guard = new SocketGuard(dht._rpc.socket, {
      loopbackOnly: this.#opts.loopbackOnly ?? false,
      onDrop: () => this.#logger.debug('DHT dropped a malformed message'),
    });
    const readyMs = this.#opts.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs;
    const ready = bootstrap.length > 0 ? bootstrapped(dht, readyMs, DEFAULTS.quietMs) : Promise.resolve();
    dht.on('error', (err: unknown) => this.#logger.warn({ err: describeError(err) }, 'DHT socket error'));
    dht.on('warning', (err: unknown) => this.#logger.debug({ err: describeError(err) }, 'DHT ignored a bad message'));
    try {
      // No await between construction and listen: the library starts its bootstrap lookup on the next
      // tick, and a send from an unbound socket would bind it to a random port on every interface.
      await listen(dht, this.#opts.port ?? 0, this.#opts.host);
    } catch (err) {
      await this.stop();
      throw err;
    }
    await ready;
    if (bootstrap.length > 0 && dht.nodes.count() === 0) this.#logger.warn('no DHT bootstrap node answered yet; lookups will ask them again');
    this.#logger.debug({ nodes: dht.nodes.count() }, 'DHT node started');
  }

  async stop(): Promise<void> {
    const dht = this.#dht;
    if (!dht) return;
    this.#dht = null;
    this.#ops.failAll(DhtError.STOPPED());
    await new Promise<void>((resolve) => dht.destroy(() => resolve()));
  }

  address(): HostPort {
    const a = this.#running().address();
    return { host: a.address, port: a.port };
  }

  /** How many nodes the routing table holds. */
  nodeCount(): number {
    return this.#dht?.nodes.count() ?? 0;
  }

  /** KRPC queries sent since start: the network cost of lookups and puts. */
  queryCount(): number {
    return this.#guard?.counters.queriesSent ?? 0;
  }

  stats(): DhtStats {
    const counters = this.#guard?.counters ?? { queriesSent: 0, blockedSends: 0, droppedIncoming: 0 };
    return { ...counters, nodes: this.nodeCount(), rejected: { ...this.#rejected } };
  }

  /** Pings the whole routing table and forgets the nodes that do not answer (see sweep.ts). */
  async sweep(): Promise<{ alive: number; removed: number }> {
    return sweep(this.#running());
  }

  /** Signs and stores a BEP44 mutable item; resolves to how many nodes stored it. */
  async putMutable(input: PutMutableInput): Promise<number> {
    const dht = this.#running();
    return this.#ops.run('publish', (done) => putMutable(dht, input, done));
  }

  /** Looks the item up on the network (never a local cache) and reports rejected responses. */
  async getMutable(publicKey: Buffer, salt: Uint8Array | string): Promise<MutableLookup> {
    const dht = this.#running();
    const onReject = (r: RejectReason) => this.#rejected[r]++;
    const opts = { verify: this.#verify, settleMs: this.#opts.settleMs ?? DEFAULTS.settleMs, onReject };
    return this.#ops.run<MutableLookup>('lookup', (done) => getMutable(dht, publicKey, salt, opts, done));
  }

  /** BEP5: tells the closest nodes that this node's address serves `infoHash` on `port`. */
  async announce(infoHash: Buffer, port: number): Promise<void> {
    const dht = this.#running();
    return this.#ops.run<void>('publish', (done) => announcePeer(dht, infoHash, port, done));
  }

  /** BEP5: the addresses that announced `infoHash` (unverified: whoever announced is listed). */
  async findPeers(infoHash: Buffer): Promise<HostPort[]> {
    const dht = this.#running();
    return this.#ops.run<HostPort[]>('lookup', (done) => lookupPeers(dht, infoHash, done));
  }

  /** Test-only hooks: the raw library instance, and planting an item in this node's own store. */
  forTest() {
    const dht = this.#running();
    return {
      dht,
      /** Stores `record` as this node's answer for `target` (by default the record's own). */
      plant(record: MutableRecord, target: Buffer = targetOf(record.publicKey, record.salt)): void {
        const { publicKey: k, salt, value: v, signature: sig, seq } = record;
        dht._values.set(target.toString('hex'), { v, k, salt, sig, seq, id: dht.nodeId });
      },
    };
  }

  #running(): DHT {
    if (!this.#dht) throw DhtError.NOT_STARTED();
    return this.#dht;
  }
}
