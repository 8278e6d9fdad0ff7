import { createHash } from 'node:crypto';
import type { DhtNode } from '../dht/index.js';
import type { RelayLogger } from './logger.js';

/**
 * Relays announce themselves (BEP5) on one well-known infohash, so that a node on a public network
 * finds them with nothing but DHT bootstrap addresses: `get_peers` on it lists relay addresses, and
 * each relay's signed descriptor (BEP44, salt `parley/relay/1`) says what key it holds there.
 */
export const RELAY_INFOHASH = createHash('sha1').update('parley relays v1').digest();

/** Mainline nodes forget a peer after about 30 minutes; announce well before. */
export const ANNOUNCE_EVERY_MS = 10 * 60_000;

export interface AnnouncerOptions {
  dht: Pick<DhtNode, 'announce'>;
  /** The relay's TCP (and UDP reflector) port. */
  port: () => number;
  logger: RelayLogger;
  everyMs?: number;
  /** After a failed announce (no DHT node reachable yet), try again this soon. */
  retryMs?: number;
}

/** Keeps a relay announced on RELAY_INFOHASH: at start, then every `everyMs`. */
export class RelayAnnouncer {
  readonly #o: AnnouncerOptions;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(opts: AnnouncerOptions) {
    this.#o = opts;
  }

  /** Announces once (resolving after that attempt, even if it failed) and schedules the next. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#announce();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #announce(): Promise<void> {
    let ok = true;
    try {
      await this.#o.dht.announce(RELAY_INFOHASH, this.#o.port());
    } catch {
      ok = false;
      this.#o.logger.info({}, 'relay announce failed; will retry');
    }
    if (!this.#running) return;
    this.#timer = setTimeout(() => void this.#announce(), ok ? (this.#o.everyMs ?? ANNOUNCE_EVERY_MS) : (this.#o.retryMs ?? 5_000));
    this.#timer.unref();
  }
}
