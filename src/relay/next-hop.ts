import { randomBytes } from '../identity/index.js';
import { TransportError } from '../transport/index.js';
import { bindFor, canonicalHost, isPublicAddress } from './allow.js';
import { RelayClient } from './client.js';
import type { RelayDirectory } from './directory.js';
import { RelayError } from './errors.js';
import type { Clock } from './quota.js';

export interface NextHopOptions {
  directory: RelayDirectory;
  /** Closed local networks only (`parley testnet`): next hops may be on loopback or private ranges. */
  allowPrivateHops: boolean;
  /** Our own listening address: probes leave from it. */
  localAddress: string;
  timeoutMs: number;
  now: Clock;
}

/** How long a next hop stays verified, and how many verified hops are remembered. */
const VERIFIED_MS = 10 * 60_000;
const MAX_VERIFIED = 1024;

/**
 * Decides whether a circuit may lead to host:port, before a single client byte goes there. The
 * target must be (1) a public address, unless private hops are allowed; (2) where a directory (the
 * DHT's signed descriptors, or the operator's list) says the relay with the client's expected key
 * listens; (3) proven: we complete a Noise IK handshake of our own to that key and the peer answers
 * a relay request. Whatever is not a relay at all never sees a byte from the client.
 */
export class NextHops {
  readonly #verified = new Map<string, number>();
  constructor(private readonly opts: NextHopOptions) {}

  /** Refuses at once, without any lookup, what is never a next hop for this relay. */
  checkAddress(host: string): void {
    if (!this.opts.allowPrivateHops && !isPublicAddress(host)) throw RelayError.CIRCUIT_REFUSED();
  }

  /** Resolves when host:port is a relay holding `publicKey`; CIRCUIT_REFUSED or CIRCUIT_FAILED otherwise. */
  async verify(host: string, port: number, publicKey: Buffer): Promise<void> {
    this.checkAddress(host);
    const spot = `${canonicalHost(host)}|${port}|${publicKey.toString('base64')}`;
    const until = this.#verified.get(spot);
    if (until !== undefined && until > this.opts.now()) return;
    this.#verified.delete(spot);
    if (!(await this.opts.directory.isRelayAt(host, port, publicKey))) throw RelayError.CIRCUIT_REFUSED();
    await this.#probe(host, port, publicKey);
    if (this.#verified.size >= MAX_VERIFIED) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(spot, this.opts.now() + VERIFIED_MS);
  }

  async #probe(host: string, port: number, publicKey: Buffer): Promise<void> {
    const { timeoutMs, localAddress } = this.opts;
    const probe = new RelayClient({ host, port, publicKey, ...bindFor(localAddress, host), connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs });
    try {
      await probe.connect();
      // A relay answers a read of a blob nobody wrote with "not found": proof it speaks the protocol.
      await probe.getBlob(randomBytes(32).toString('base64'));
    } catch (err) {
      if (TransportError.is(err) && (err.code === 'CONNECT_FAILED' || err.code === 'CONNECT_TIMEOUT')) throw RelayError.CIRCUIT_FAILED('unreachable');
      throw RelayError.CIRCUIT_REFUSED();
    } finally {
      await probe.close().catch(() => {});
    }
  }
}
