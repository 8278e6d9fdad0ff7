import { DhtError, hasValidSignature, type DhtNode, type MutableRecord } from '../dht/index.js';
import { RELAY_PROTOCOL_VERSION, type ClientToRelay, type RelayToClientOut } from '../wire/relay-frames.js';
import { toB64 } from '../wire/bytes.js';
import { RelayError } from './errors.js';
import { TokenBucket, type Clock } from './quota.js';

/**
 * The DHT exit (ARCHITECTURE.md "Who talks to the DHT, from where"): a relay gets or puts one BEP44
 * mutable item for a client that reached it through a circuit, so DHT nodes see this relay's
 * address, never the client's. The exit checks a put's signature before it spends a query on it,
 * limits each connection (each circuit is one) and the whole relay, and logs nothing about a
 * request: no key, no target, no salt, no value.
 */
export interface DhtExitOptions {
  /** Per connection: requests per second and burst. */
  perSecond?: number;
  burst?: number;
  /** DHT operations in flight on the whole relay. */
  maxInflight?: number;
  now?: Clock;
}

const DEFAULTS = { perSecond: 2, burst: 10, maxInflight: 32 };

export type ExitRequest = Extract<ClientToRelay, { t: 'dht-get' | 'dht-put' }>;

/** The relay's DHT node, as the exit uses it. */
export type ExitDht = Pick<DhtNode, 'getMutable' | 'putMutable'>;

export class DhtExit {
  readonly #dht: ExitDht;
  readonly #o: Required<Omit<DhtExitOptions, 'now'>> & { now: Clock };
  #inflight = 0;

  constructor(dht: ExitDht, opts: DhtExitOptions = {}) {
    this.#dht = dht;
    this.#o = { ...DEFAULTS, now: Date.now, ...opts };
  }

  /** One connection's share of the exit: its own rate limit. */
  session(): ExitSession {
    return new ExitSession(this, new TokenBucket(this.#o.perSecond, this.#o.burst, this.#o.now));
  }

  /** Carries out one request; resolves to its answer, or rejects with a RelayError. */
  async run(f: ExitRequest): Promise<RelayToClientOut> {
    if (this.#inflight >= this.#o.maxInflight) throw RelayError.EXIT_BUSY();
    this.#inflight++;
    try {
      return f.t === 'dht-get' ? await this.#get(f) : await this.#put(f);
    } catch (err) {
      throw toRelayError(err, f.t === 'dht-get' ? 'look the record up' : 'store the record');
    } finally {
      this.#inflight--;
    }
  }

  async #get(f: Extract<ExitRequest, { t: 'dht-get' }>): Promise<RelayToClientOut> {
    const { record, rejected } = await this.#dht.getMutable(f.key, f.salt);
    const found = record ? { seq: record.seq, value: toB64(record.value), sig: toB64(record.signature) } : {};
    return { v: RELAY_PROTOCOL_VERSION, t: 'dht-found', id: f.id, rejected: Math.min(rejected.length, 1000), ...found };
  }

  async #put(f: Extract<ExitRequest, { t: 'dht-put' }>): Promise<RelayToClientOut> {
    const record: MutableRecord = { publicKey: f.key, salt: f.salt, seq: f.seq, value: f.value, signature: f.sig };
    if (!hasValidSignature(record)) throw RelayError.BAD_REQUEST('the record is not signed by its key');
    // The client signed; bittorrent-dht asks for a signature over exactly these bytes, and gets it.
    const keyPair = { publicKey: f.key, sign: () => f.sig };
    const nodes = await this.#dht.putMutable({ keyPair, salt: f.salt, value: f.value, seq: f.seq });
    return { v: RELAY_PROTOCOL_VERSION, t: 'dht-stored', id: f.id, nodes: Math.min(nodes, 1000) };
  }
}

/** The exit as one connection sees it. */
export class ExitSession {
  constructor(
    private readonly exit: DhtExit,
    private readonly bucket: TokenBucket,
  ) {}

  /** Answers `f` later through `send`, or `fail`s it with a code; a refusal over the rate is immediate. */
  handle(f: ExitRequest, send: (frame: RelayToClientOut) => void, fail: (id: number, code: string) => void): void {
    if (this.bucket.take(1) !== 'ok') return fail(f.id, RelayError.RATE_LIMITED().code);
    this.exit.run(f).then(send, (err: unknown) => fail(f.id, RelayError.is(err) ? err.code : 'DHT_FAILED'));
  }
}

function toRelayError(err: unknown, what: string): RelayError {
  if (RelayError.is(err)) return err;
  if (DhtError.is(err) && err.code === 'STALE_SEQ') return RelayError.EXIT_STALE_SEQ();
  if (DhtError.is(err) && err.code === 'VALUE_TOO_LARGE') return RelayError.TOO_LARGE(0, 1000);
  return RelayError.DHT_FAILED(what);
}
