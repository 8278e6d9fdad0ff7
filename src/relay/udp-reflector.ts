import { createSocket, type Socket } from 'node:dgram';
import { decodeDatagram, encodeDatagram } from '../wire/udp-datagrams.js';
import type { RelayLogger } from './logger.js';

export interface UdpReflectorOptions {
  host: string;
  port: number;
  /** Answers per source address in one window; more are dropped (counted), never queued. */
  answersPerWindow?: number;
  windowMs?: number;
  /** Distinct sources remembered in one window; a new source beyond it is dropped as `busy`. */
  maxSources?: number;
  logger: RelayLogger;
  /** The relay's static Noise key, given to whoever asks which key this address holds (IDENTIFY). */
  publicKey?: Buffer;
}

export interface UdpReflectorStats {
  answered: number;
  dropped: Record<'malformed' | 'rate' | 'busy', number>;
}

/**
 * Answers a REFLECT datagram with the source address and port the relay saw it come from, so a
 * client behind a NAT learns its public UDP mapping (what STUN does), and an IDENTIFY datagram with
 * the relay's Noise key, so a node that found the relay's address in the DHT can look up its descriptor. The reply goes only to that
 * observed source and is no larger than the request plus six bytes, so it cannot amplify. Bounded:
 * a fixed number of answers per source address per window. Logs only counters, never an address.
 */
export class UdpReflector {
  readonly #opts: Required<Omit<UdpReflectorOptions, 'logger' | 'publicKey'>> & Pick<UdpReflectorOptions, 'logger' | 'publicKey'>;
  #socket: Socket | null = null;
  #window: NodeJS.Timeout | null = null;
  /** Answers given to each source host in the current window. */
  readonly #perSource = new Map<string, number>();
  readonly stats: UdpReflectorStats = { answered: 0, dropped: { malformed: 0, rate: 0, busy: 0 } };

  constructor(opts: UdpReflectorOptions) {
    this.#opts = { answersPerWindow: 20, windowMs: 10_000, maxSources: 10_000, ...opts };
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#opts.port, this.#opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => this.stats.dropped.malformed++);
    socket.on('message', (bytes, from) => this.#onMessage(socket, bytes, from.address, from.port));
    this.#socket = socket;
    this.#window = setInterval(() => this.#perSource.clear(), this.#opts.windowMs);
    this.#window.unref();
  }

  async stop(): Promise<void> {
    if (this.#window) clearInterval(this.#window);
    this.#window = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.#perSource.clear();
    this.#opts.logger.debug({ ...this.stats }, 'udp reflector stopped');
  }

  #onMessage(socket: Socket, bytes: Buffer, host: string, port: number): void {
    const d = decodeDatagram(bytes);
    const key = this.#opts.publicKey;
    const wanted = d?.type === 'reflect' || (d?.type === 'identify' && key !== undefined);
    if (!d || !wanted || !/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      this.stats.dropped.malformed++;
      return;
    }
    const used = this.#perSource.get(host);
    if (used === undefined && this.#perSource.size >= this.#opts.maxSources) {
      this.stats.dropped.busy++;
      return;
    }
    if ((used ?? 0) >= this.#opts.answersPerWindow) {
      this.stats.dropped.rate++;
      return;
    }
    this.#perSource.set(host, (used ?? 0) + 1);
    this.stats.answered++;
    const answer =
      d.type === 'identify'
        ? encodeDatagram({ type: 'identity', txid: d.txid, publicKey: key! })
        : encodeDatagram({ type: 'reflected', txid: d.txid, host, port });
    socket.send(answer, port, host);
  }
}
