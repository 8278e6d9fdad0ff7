import type { Logger } from 'pino';
import { dial, Listener, type Connection } from '../transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../wire/peer-frames.js';
import { describeError } from '../wire/errors.js';
import type { Identity } from '../identity/index.js';
import { NodeError } from './errors.js';

export type PeerConn = Connection<PeerFrameOut, PeerFrame>;

/** Where to reach a contact directly, as learned from a verified DHT record. */
export interface DirectEndpoint {
  host: string;
  port: number;
  transportKey: Buffer;
}

export interface PeersComponents {
  identity: Identity;
  logger: Logger;
  /** Finds a contact's direct endpoint (from the DHT); null when they publish none. */
  resolve: (id: string) => Promise<DirectEndpoint | null>;
  onFrame: (conn: PeerConn, frame: PeerFrame) => void;
  /** A contact's proven direct link opened (true) or closed (false). */
  onPresence?: (id: string, online: boolean) => void;
}

/**
 * The node's direct links: one listener for inbound Noise IK connections, outbound dials to
 * contacts' endpoints, and the map from contact ID to the connection proven to be theirs.
 */
export class Peers {
  readonly #c: PeersComponents;
  readonly #listener: Listener<PeerFrameOut, PeerFrame>;
  readonly #byContact = new Map<string, PeerConn>();
  readonly #dialing = new Map<string, Promise<PeerConn>>();
  readonly #endpoints = new Map<string, DirectEndpoint>();
  #host: string;
  #observed: string[] | null = null;

  constructor(components: PeersComponents, init: { host: string; port?: number }) {
    this.#c = components;
    this.#host = init.host;
    this.#listener = new Listener(
      peerCodec,
      {
        host: init.host,
        port: init.port ?? 0,
        keyPair: components.identity.transportKey.forNoise(),
        onRejected: (reason) => components.logger.info({ reason }, 'rejected a connection'),
      },
      (conn) => {
        this.#observed?.push(conn.remoteHost);
        this.#adopt(conn);
      },
    );
  }

  async start(): Promise<void> {
    await this.#listener.start();
  }

  async stop(): Promise<void> {
    for (const c of this.#byContact.values()) c.close('SHUTDOWN');
    await this.#listener.stop();
  }

  address(): { host: string; port: number } {
    return this.#listener.address();
  }

  /** Test-only: from now on, remember the address of every inbound connection (who saw whose IP). */
  forTest(): { observeRemotes: () => string[] } {
    return { observeRemotes: () => (this.#observed ??= []) };
  }

  /** Records that `conn` is proven (by a decrypted message) to belong to contact `id`. */
  bind(id: string, conn: PeerConn): void {
    const old = this.#byContact.get(id);
    if (old === conn) return;
    this.#byContact.set(id, conn);
    if (!old || old.closeReason) this.#c.onPresence?.(id, true);
    conn.once('close', () => {
      if (this.#byContact.get(id) !== conn) return;
      this.#byContact.delete(id);
      this.#c.onPresence?.(id, false);
    });
  }

  /** Contacts with an open, proven direct link now. */
  online(): string[] {
    return [...this.#byContact.entries()].filter(([, c]) => !c.closeReason).map(([id]) => id);
  }

  connected(id: string): PeerConn | null {
    const c = this.#byContact.get(id);
    return c && !c.closeReason ? c : null;
  }

  /** An open connection to `id`, dialing their published endpoint if needed. */
  async connect(id: string): Promise<PeerConn> {
    const existing = this.connected(id);
    if (existing) return existing;
    let pending = this.#dialing.get(id);
    if (!pending) {
      pending = this.#dial(id).finally(() => this.#dialing.delete(id));
      this.#dialing.set(id, pending);
    }
    return pending;
  }

  /** Forget a cached endpoint (after a failed dial) so the next attempt looks it up again. */
  forget(id: string): void {
    this.#endpoints.delete(id);
  }

  async #dial(id: string): Promise<PeerConn> {
    let ep = this.#endpoints.get(id) ?? null;
    if (!ep) {
      ep = await this.#c.resolve(id);
      if (!ep) throw NodeError.UNREACHABLE('they publish no direct endpoint');
      this.#endpoints.set(id, ep);
    }
    try {
      const conn: PeerConn = await dial(peerCodec, {
        host: ep.host,
        port: ep.port,
        remotePublicKey: ep.transportKey,
        keyPair: this.#c.identity.transportKey.forNoise(),
        localAddress: this.#host,
      });
      this.#adopt(conn);
      this.bind(id, conn);
      return conn;
    } catch (err) {
      this.forget(id);
      throw NodeError.UNREACHABLE(describeError(err));
    }
  }

  #adopt(conn: PeerConn): void {
    conn.on('frame', (frame: PeerFrame) => this.#c.onFrame(conn, frame));
    conn.on('close', (reason: string) => {
      if (reason !== 'CLOSED' && reason !== 'SHUTDOWN' && reason !== 'LOCAL_CLOSE') {
        this.#c.logger.info({ reason }, 'closed a peer connection');
      }
    });
  }
}
