import pino, { type Logger } from 'pino';
import { describeError } from '../wire/errors.js';
import type { DhtNode } from './dht-node.js';
import type { MutableSigner } from './bep44.js';
import { DhtError } from './errors.js';

/** How often a record is republished unless told otherwise. */
export const DEFAULT_REPUBLISH_MS = 30 * 60_000;

/** How long the first publish of a run waits for the lookup of what the network holds. */
const LOOK_FIRST_MS = 3_000;

export interface RepublisherComponents {
  dht: Pick<DhtNode, 'putMutable'> & Partial<Pick<DhtNode, 'getMutable'>>;
  keyPair: MutableSigner;
  logger?: Logger;
  /** Milliseconds since the epoch; sequence numbers derive from it. */
  now?: () => number;
  random?: () => number;
}

export interface RepublisherOptions extends RepublisherComponents {
  salt: string | Uint8Array;
  /** Called before every publish, so the record can carry a fresh expiry. */
  value: () => Buffer;
  /** Between successful publishes; Mainline nodes drop items after about 2 hours. Default 30 minutes. */
  intervalMs?: number;
  /** Backoff after a failed publish: baseMs doubling up to maxMs (never beyond intervalMs). */
  retry?: { baseMs: number; maxMs: number };
}

export interface RepublisherStatus {
  lastSeq: number | null;
  lastStoredOn: number;
  failures: number;
}

/**
 * Keeps one BEP44 record alive: publishes it on start and again every interval, retrying failures
 * with backoff. Sequence numbers are unix seconds, raised by one when needed, so they only go up
 * (also across restarts, as long as the clock does not go back). When the network already holds a
 * higher one (the same identity restored on another device, a clock behind), the next publish
 * continues from the stored record's sequence number instead of waiting for the clock to pass it
 * (looked up before the first publish of a run, and checked again after it).
 */
export class Republisher {
  readonly #o: RepublisherOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #inflight: Promise<void> | null = null;
  #checking: Promise<void> | null = null;
  #running = false;
  #status: RepublisherStatus = { lastSeq: null, lastStoredOn: 0, failures: 0 };

  constructor(opts: RepublisherOptions) {
    this.#o = opts;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
  }

  /**
   * Publishes once (resolving after that attempt, even if it failed) and schedules the next. It
   * first asks what the network holds: BEP44 nodes refuse a seq equal to theirs, so a reinstall (or
   * a restart) within the same second as the record it replaces would otherwise land on almost no
   * node, with no error, and readers would keep finding the old record for a whole interval.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    // Bounded: a record never published before is a lookup that waits for every node's answer, which on
    // the Mainline DHT can take many seconds; past the bound, the check after the first publish remains.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOOK_FIRST_MS).unref()));
    const held = await Promise.race([this.#storedSeq(), bound]).finally(() => clearTimeout(timer));
    if (held !== null) this.#status = { ...this.#status, lastSeq: Math.max(held, this.#status.lastSeq ?? -1) };
    if (!this.#running) return;
    await this.#publish();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#checking;
    await this.#inflight;
  }

  /** Publishes now (say, after the value changed) instead of at the next interval. */
  async refresh(): Promise<void> {
    if (!this.#running) return;
    await this.#inflight;
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#publish();
  }

  status(): RepublisherStatus {
    return { ...this.#status };
  }

  #publish(): Promise<void> {
    this.#timer = null;
    const attempt = this.#attempt().finally(() => {
      this.#inflight = null;
    });
    this.#inflight = attempt;
    return attempt;
  }

  async #attempt(): Promise<void> {
    const seq = this.#nextSeq();
    let delay: number;
    try {
      const stored = await this.#o.dht.putMutable({ keyPair: this.#o.keyPair, salt: this.#o.salt, value: this.#o.value(), seq });
      const first = this.#status.lastSeq === null;
      this.#status = { lastSeq: seq, lastStoredOn: stored, failures: 0 };
      this.#logger.debug({ stored }, 'published DHT record');
      delay = this.#jitter(this.#interval());
      // Nodes that already held a higher seq refused quietly while another accepted: after the first
      // publish, check in the background (start-up does not wait) what the network returns.
      if (first) this.#checking = this.#passOlderCopy(seq);
    } catch (err) {
      const failures = this.#status.failures + 1;
      const stored = DhtError.is(err) && err.code === 'STALE_SEQ' ? await this.#storedSeq() : null;
      this.#status = { ...this.#status, lastSeq: Math.max(seq, stored ?? 0, this.#status.lastSeq ?? 0), failures };
      delay = stored !== null && failures === 1 ? 0 : this.#backoff(failures);
      if (this.#running) this.#logger.warn({ err: describeError(err), failures, retryInMs: delay }, 'could not publish DHT record; will retry');
    }
    if (this.#running) this.#timer = setTimeout(() => void this.#publish(), delay).unref();
  }

  /** If the network returns an older copy with a higher seq than `published`, publishes past it now. */
  async #passOlderCopy(published: number): Promise<void> {
    const held = await this.#storedSeq();
    if (held === null || held <= published || !this.#running) return;
    this.#status = { ...this.#status, lastSeq: Math.max(held, this.#status.lastSeq ?? 0) };
    await this.refresh();
  }

  /** The sequence number of our record as the network holds it now (null if unknown). */
  async #storedSeq(): Promise<number | null> {
    if (!this.#o.dht.getMutable) return null;
    try {
      const found = await this.#o.dht.getMutable(this.#o.keyPair.publicKey, this.#o.salt);
      return found.record?.seq ?? null;
    } catch {
      return null;
    }
  }

  #nextSeq(): number {
    const seconds = Math.floor((this.#o.now ?? Date.now)() / 1000);
    return Math.max(seconds, (this.#status.lastSeq ?? -1) + 1);
  }

  #interval(): number {
    return this.#o.intervalMs ?? DEFAULT_REPUBLISH_MS;
  }

  #backoff(failures: number): number {
    const { baseMs, maxMs } = this.#o.retry ?? { baseMs: 5_000, maxMs: 5 * 60_000 };
    return this.#jitter(Math.min(maxMs, this.#interval(), baseMs * 2 ** Math.min(failures - 1, 20)));
  }

  /** ±10%, so many nodes do not publish in lockstep. */
  #jitter(ms: number): number {
    return Math.round(ms * (0.9 + 0.2 * (this.#o.random ?? Math.random)()));
  }
}
