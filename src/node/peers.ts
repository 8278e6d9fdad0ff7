import type { Logger } from 'pino';
import { dial, Listener, type Connection } from '../transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../wire/peer-frames.js';
import type { FrameCodec } from '../wire/json-codec.js';
import { describeError } from '../wire/errors.js';
import type { Ed25519KeyPair } from '../identity/index.js';
import { NodeError } from './errors.js';

export type PeerConn = Connection<PeerFrameOut, PeerFrame>;

/** Where to reach a contact directly, as learned from a verified DHT record. */
export interface DirectEndpoint {
  host: string;
  port: number;
  transportKey: Buffer;
}

export interface PeersComponents {
  logger: Logger;
  /** Finds a contact's direct endpoint (from the DHT); null when they publish none. */
  resolve: (id: string) => Promise<DirectEndpoint | null>;
  onFrame: (conn: PeerConn, frame: PeerFrame) => void;
  /** A contact's proven direct link opened (true) or closed (false). */
  onPresence?: (id: string, online: boolean) => void;
  /** Whether this contact (or stranger) may hold a direct link to me now, by my setting for them. */
  mayConnect?: (id: string) => boolean;
}

/**
 * The node's direct links: one listener for inbound Noise IK connections, outbound dials to
 * contacts' endpoints, and the map from contact ID to the connection proven to be theirs.
 */
export class Peers {
  readonly #c: PeersComponents;
  #listener: Listener<PeerFrameOut, PeerFrame>;
  #keyPair: Ed25519KeyPair;
  readonly #byContact = new Map<string, PeerConn>();
  /** Every link proven to be a contact's (a contact may have an inbound and an outbound one). */
  readonly #links = new Map<string, Set<PeerConn>>();
  /** Contacts by the transport key their links authenticated with, so a refused one is refused at the handshake. */
  readonly #keyOwners = new Map<string, string>();
  readonly #dialing = new Map<string, Promise<PeerConn>>();
  readonly #endpoints = new Map<string, DirectEndpoint>();
  #host: string;
  /** The peer codec of every link (its preamble says which peer versions this node speaks). */
  #codec: FrameCodec<PeerFrameOut, PeerFrame> = peerCodec;
  #observed: string[] | null = null;
  #stopped = false;

  constructor(components: PeersComponents, init: { host: string; port?: number; keyPair: Ed25519KeyPair }) {
    this.#c = components;
    this.#host = init.host;
    this.#keyPair = init.keyPair;
    this.#listener = this.#listen(init.port ?? 0);
  }

  #listen(port: number): Listener<PeerFrameOut, PeerFrame> {
    return new Listener(
      this.#codec,
      {
        host: this.#host,
        port,
        keyPair: this.#keyPair.forNoise(),
        admitRemote: (key) => this.#admits(key),
        onRejected: (reason) => this.#c.logger.info({ reason }, 'rejected a connection'),
      },
      (conn) => {
        this.#observed?.push(conn.remoteHost);
        this.#adopt(conn);
      },
    );
  }

  /** An initiator whose key belongs to a contact who may not connect directly gets no answer. */
  #admits(key: Buffer): boolean {
    const owner = this.#keyOwners.get(key.toString('hex'));
    return !owner || (this.#c.mayConnect?.(owner) ?? true);
  }

  /** My current transport key (the one `direct` contacts are given). */
  publicKey(): Buffer {
    return this.#keyPair.publicKey;
  }

  /**
   * Moves the door: a new key on a new port (the new listener binds before the old one closes, so the
   * port differs). Every direct link closes; the old key and port lead nowhere from now on.
   */
  async rotate(keyPair: Ed25519KeyPair): Promise<void> {
    if (this.#stopped) return;
    const old = this.#listener;
    this.#keyPair = keyPair;
    const next = this.#listen(0);
    await next.start();
    if (this.#stopped) return next.stop();
    this.#listener = next;
    for (const set of this.#links.values()) for (const c of set) c.close('DOOR_MOVED');
    this.#endpoints.clear();
    await old.stop();
  }

  /** Closes at once every direct link of this contact. */
  drop(id: string, reason: string): void {
    for (const c of this.#links.get(id) ?? []) c.close(reason);
  }

  async start(): Promise<void> {
    await this.#listener.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const set of this.#links.values()) for (const c of set) c.close('SHUTDOWN');
    await this.#listener.stop();
  }

  address(): { host: string; port: number } {
    return this.#listener.address();
  }

  /**
   * Test-only: `observeRemotes` remembers from now on the address of every inbound connection (who
   * saw whose IP); `speak` makes every link from now on use `codec` (as an older release would:
   * its versions, its frames), the open ones closed and the listener opened again on its port.
   */
  forTest(): { observeRemotes: () => string[]; speak: (codec: FrameCodec<PeerFrameOut, PeerFrame>) => Promise<void> } {
    return {
      observeRemotes: () => (this.#observed ??= []),
      speak: async (codec) => {
        this.#codec = codec;
        for (const set of this.#links.values()) for (const c of set) c.close('LOCAL_CLOSE');
        const { port } = this.#listener.address();
        await this.#listener.stop();
        this.#listener = this.#listen(port);
        await this.#listener.start();
      },
    };
  }

  /**
   * Records that `conn` is proven (by a decrypted message) to belong to contact `id`; false (and
   * the link closed) when this contact may not hold a direct link.
   */
  bind(id: string, conn: PeerConn): boolean {
    if (!this.mayConnect(id)) {
      conn.close('NOT_DIRECT');
      return false;
    }
    if (conn.remotePublicKey) this.#keyOwners.set(conn.remotePublicKey.toString('hex'), id);
    let set = this.#links.get(id);
    if (!set) this.#links.set(id, (set = new Set()));
    if (!set.has(conn)) {
      set.add(conn);
      conn.once('close', () => {
        set.delete(conn);
        if (set.size === 0 && this.#links.get(id) === set) this.#links.delete(id);
      });
    }
    const old = this.#byContact.get(id);
    if (old === conn) return true;
    this.#byContact.set(id, conn);
    if (!old || old.closeReason) this.#c.onPresence?.(id, true);
    conn.once('close', () => {
      if (this.#byContact.get(id) !== conn) return;
      this.#byContact.delete(id);
      this.#c.onPresence?.(id, false);
    });
    return true;
  }

  /** A link made elsewhere (a punched UDP path) whose handshake proved `id`'s key: it joins like a dialled one. */
  adopt(id: string, conn: PeerConn): boolean {
    this.#adopt(conn);
    return this.bind(id, conn);
  }

  /** Whether `id` may hold a direct link to me now. */
  mayConnect(id: string): boolean {
    return this.#c.mayConnect?.(id) ?? true;
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
      const conn: PeerConn = await dial(this.#codec, {
        host: ep.host,
        port: ep.port,
        remotePublicKey: ep.transportKey,
        keyPair: this.#keyPair.forNoise(),
        localAddress: this.#host,
      });
      this.#adopt(conn);
      if (!this.bind(id, conn)) throw NodeError.UNREACHABLE('this contact may not see your IP address');
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
