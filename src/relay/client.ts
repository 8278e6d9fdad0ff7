import { EventEmitter } from 'node:events';
import type { KeyPair } from '../transport/index.js';
import { toB64 } from '../wire/bytes.js';
import {
  Id32,
  IpHost,
  MAX_ACK_ITEMS,
  MAX_BLOB_BYTES,
  MAX_MAIL_BYTES,
  Port,
  RELAY_PROTOCOL_VERSION,
  type ClientToRelayOut,
  type RelayToClient,
} from '../wire/relay-frames.js';
import { ClientCircuits, type CircuitStream } from './circuit-stream.js';
import { connectRelay, type ClientConnection } from './client-connect.js';
import { RelayError } from './errors.js';
import { PendingRequests } from './requests.js';

export interface RelayClientOptions {
  host: string;
  port: number;
  /** The relay's static Noise key (from its descriptor): raw bytes or base64. */
  publicKey: Buffer | string;
  /** Bind the outgoing socket to this local address (direct connections only). */
  localAddress?: string;
  /** Reach this relay through a circuit opened by `via` (an already connected client of another relay). */
  via?: RelayClient;
  /** Our Noise key towards this relay; a fresh one by default (never pass an identity key). */
  keyPair?: KeyPair;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface MailItem {
  mailboxId: string;
  itemId: number;
  bytes: Buffer;
}

export interface RelayClientEvents {
  /** A mail item of a mailbox registered on this connection: pushed live, or returned by fetch(). */
  mail: [MailItem];
  /** The connection ended; the reason is a code (`FLOOD`, `SHUTDOWN`, `LOCAL_CLOSE`, ...). */
  close: [string];
}

type Request = ClientToRelayOut extends infer F ? (F extends { id: number } ? Omit<F, 'v' | 'id'> : never) : never;
type Reply<T extends RelayToClient['t']> = Extract<RelayToClient, { t: T }>;

/** A client of one relay: mailboxes, blobs and circuits, with a fresh Noise key per relay. */
export class RelayClient extends EventEmitter<RelayClientEvents> {
  readonly host: string;
  readonly port: number;
  readonly publicKey: Buffer;
  readonly #opts: RelayClientOptions;
  readonly #requests: PendingRequests;
  readonly #fetching = new Map<number, MailItem[]>();
  /** Send request ids awaiting the relay's cumulative `accepted`, oldest first. */
  #sends: number[] = [];
  #conn: ClientConnection | null = null;
  #circuits: ClientCircuits | null = null;
  #closeReason: string | null = null;

  constructor(opts: RelayClientOptions) {
    super();
    this.#opts = opts;
    this.host = opts.host;
    this.port = opts.port;
    this.publicKey = typeof opts.publicKey === 'string' ? Buffer.from(opts.publicKey, 'base64') : opts.publicKey;
    this.#requests = new PendingRequests(opts.requestTimeoutMs ?? 10_000);
  }

  get connected(): boolean {
    return this.#conn !== null && this.#closeReason === null;
  }

  async connect(): Promise<this> {
    const conn = await connectRelay({ ...this.#opts, publicKey: this.publicKey });
    this.#conn = conn;
    this.#circuits = new ClientCircuits(conn);
    conn.on('frame', (f: RelayToClient) => this.#onFrame(f));
    conn.once('close', (reason: string) => this.#onClose(reason));
    if (conn.closeReason) this.#onClose(conn.closeReason);
    return this;
  }

  /** Closes the connection (and every circuit through it); resolves once closed. */
  async close(): Promise<void> {
    const conn = this.#conn;
    if (!conn || this.#closeReason) return;
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    conn.close('LOCAL_CLOSE');
    await closed;
  }

  /** Proves ownership of the mailbox of `secret` (32 bytes) on this connection; returns its id. */
  async registerMailbox(secret: Uint8Array): Promise<string> {
    if (secret.length !== 32) throw RelayError.BAD_REQUEST('a mailbox secret is 32 bytes');
    return (await this.#request({ t: 'register', secret: toB64(secret) }, 'registered')).mailbox;
  }

  /** Leaves `bytes` (ciphertext) in a mailbox; resolves once the relay has stored it. */
  async send(mailboxId: string, bytes: Uint8Array): Promise<void> {
    checkId(mailboxId);
    if (bytes.length > MAX_MAIL_BYTES) throw RelayError.TOO_LARGE(bytes.length, MAX_MAIL_BYTES);
    const id = this.#requests.nextId();
    this.#sends.push(id);
    try {
      await this.#request({ t: 'send', mailbox: mailboxId, bytes }, 'accepted', id);
    } finally {
      this.#forgetSend(id);
    }
  }

  /** Every item stored for a mailbox registered on this connection (each also emitted as `mail`). */
  async fetch(mailboxId: string): Promise<MailItem[]> {
    checkId(mailboxId);
    const all: MailItem[] = [];
    for (let more = true; more;) {
      const id = this.#requests.nextId();
      const page: MailItem[] = [];
      this.#fetching.set(id, page);
      const last = all.at(-1)?.itemId;
      try {
        const body = { t: 'fetch', mailbox: mailboxId, ...(last ? { after: last } : {}) } as const;
        more = (await this.#request(body, 'fetched', id)).more && page.length > 0;
      } finally {
        this.#fetching.delete(id);
      }
      all.push(...page);
    }
    return all;
  }

  /** Deletes delivered items from the relay; returns how many it still held. */
  async ack(mailboxId: string, itemIds: number[]): Promise<number> {
    checkId(mailboxId);
    if (!itemIds.every((n) => Number.isSafeInteger(n) && n > 0)) throw RelayError.BAD_REQUEST('item ids are positive integers');
    let count = 0;
    for (let i = 0; i < itemIds.length; i += MAX_ACK_ITEMS) {
      const items = itemIds.slice(i, i + MAX_ACK_ITEMS);
      count += (await this.#request({ t: 'ack', mailbox: mailboxId, items }, 'acked')).count;
    }
    return count;
  }

  /** Writes (or rewrites) the blob of `secret` (32 bytes); anyone may read it by the returned id. */
  async putBlob(secret: Uint8Array, bytes: Uint8Array): Promise<string> {
    if (secret.length !== 32) throw RelayError.BAD_REQUEST('a blob secret is 32 bytes');
    if (bytes.length > MAX_BLOB_BYTES) throw RelayError.TOO_LARGE(bytes.length, MAX_BLOB_BYTES);
    return (await this.#request({ t: 'blob-put', secret, bytes }, 'blob-stored')).blob;
  }

  /** The blob stored under `blobId`, or null if there is none. */
  async getBlob(blobId: string): Promise<Buffer | null> {
    checkId(blobId);
    try {
      return (await this.#request({ t: 'blob-get', blob: blobId }, 'blob')).bytes;
    } catch (err) {
      if (RelayError.is(err) && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /**
   * Asks this relay (an exit, reached through a circuit) to look up a BEP44 mutable item in the DHT.
   * The answer is the exit's word only: the caller verifies the signature (see node/dht-access.ts).
   */
  async dhtGet(key: Buffer, salt: Buffer): Promise<{ record: { seq: number; value: Buffer; sig: Buffer } | null; rejected: number }> {
    const f = await this.#request({ t: 'dht-get', key: toB64(key), salt: toB64(salt) }, 'dht-found');
    const record = f.seq !== undefined && f.value && f.sig ? { seq: f.seq, value: f.value, sig: f.sig } : null;
    return { record, rejected: f.rejected };
  }

  /** Asks this relay (an exit) to put an item we signed into the DHT; resolves to how many nodes took it. */
  async dhtPut(r: { key: Buffer; salt: Buffer; seq: number; value: Buffer; sig: Buffer }): Promise<number> {
    const body = { t: 'dht-put', key: toB64(r.key), salt: toB64(r.salt), seq: r.seq, value: toB64(r.value), sig: toB64(r.sig) } as const;
    return (await this.#request(body, 'dht-stored')).nodes;
  }

  /** A client of the relay at host:port, reached through this relay: it sees our relay's address, not ours. */
  async openCircuit(host: string, port: number, remotePublicKey: Buffer | string, requestTimeoutMs = this.#opts.requestTimeoutMs): Promise<RelayClient> {
    const { connectTimeoutMs, idleTimeoutMs } = this.#opts;
    return new RelayClient({ host, port, publicKey: remotePublicKey, via: this, requestTimeoutMs, connectTimeoutMs, idleTimeoutMs }).connect();
  }

  /**
   * The raw byte pipe of a new circuit to the relay with Noise key `publicKey` at host:port (what
   * `openCircuit` runs its Noise stream over). This relay checks that it is one before it connects.
   */
  async openCircuitStream(host: string, port: number, publicKey: Buffer | string): Promise<CircuitStream> {
    const circuits = this.#circuits;
    if (!circuits) throw RelayError.NOT_CONNECTED();
    if (!IpHost.safeParse(host).success || !Port.safeParse(port).success) throw RelayError.BAD_REQUEST('circuits lead to an IP address and port');
    const key = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : publicKey;
    if (key.length !== 32) throw RelayError.BAD_REQUEST('a relay key is 32 bytes');
    const stream = circuits.create();
    try {
      await this.#request({ t: 'circuit-open', c: stream.c, host, port, key: toB64(key) }, 'circuit-opened');
    } catch (err) {
      circuits.forget(stream.c);
      throw err;
    }
    return stream;
  }

  async #request<T extends RelayToClient['t']>(body: Request, expect: T, id = this.#requests.nextId()): Promise<Reply<T>> {
    const conn = this.#conn;
    if (!conn) throw RelayError.NOT_CONNECTED();
    if (this.#closeReason) throw RelayError.CLOSED(this.#closeReason);
    const answer = this.#requests.wait(id, expect);
    conn.send({ v: RELAY_PROTOCOL_VERSION, id, ...body } as ClientToRelayOut);
    const reply = await answer;
    if (reply.t !== expect) throw RelayError.BAD_REPLY(`${reply.t} instead of ${expect}`);
    return reply as Reply<T>;
  }

  #onFrame(f: RelayToClient): void {
    switch (f.t) {
      case 'mail': {
        const item: MailItem = { mailboxId: f.mailbox, itemId: f.item, bytes: f.bytes };
        if (f.req !== undefined) this.#fetching.get(f.req)?.push(item);
        this.emit('mail', item);
        return;
      }
      case 'circuit-data':
      case 'circuit-close':
        return this.#circuits?.onFrame(f);
      case 'error':
        if (f.id === undefined) return this.#conn?.close(f.code);
        this.#requests.settle(f);
        return;
      case 'accepted': {
        // Cumulative: every send up to this one that got no error was stored.
        const upTo = this.#sends.indexOf(f.id);
        if (upTo < 0) return;
        for (const id of this.#sends.splice(0, upTo + 1)) this.#requests.settle({ ...f, id });
        return;
      }
      case 'acked':
      case 'blob-stored':
      case 'blob':
      case 'circuit-opened':
      case 'dht-found':
      case 'dht-stored':
      case 'fetched':
      case 'registered':
      default:
        this.#requests.settle(f);
    }
  }

  #forgetSend(id: number): void {
    const at = this.#sends.indexOf(id);
    if (at >= 0) this.#sends.splice(at, 1);
  }

  #onClose(reason: string): void {
    if (this.#closeReason) return;
    this.#closeReason = reason;
    this.#requests.failAll(RelayError.CLOSED(reason));
    this.#circuits?.closeAll();
    this.emit('close', reason);
  }
}

/** A malformed id would be a malformed frame, which costs the whole connection: refuse it here. */
function checkId(id: string): void {
  if (!Id32.safeParse(id).success) throw RelayError.BAD_REQUEST('ids are 32 bytes in base64');
}
