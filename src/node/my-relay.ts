import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RelayClient, type MailItem } from '../relay/index.js';
import { getKv, setKv, type Db } from '../store/index.js';
import { randomBytes } from '../identity/index.js';
import { describeError } from '../wire/errors.js';
import type { RelayRef } from '../routing/relay-ref.js';

export interface RelayAddress {
  host: string;
  port: number;
  publicKey: string;
}

/**
 * This node's own relay: one connection under a fresh Noise key, our mailbox (its secret kept in
 * the database, so the mailbox ID is stable), our published prekey bundle as a blob, reconnection
 * with backoff, and a fetch of everything stored for us after each (re)connect.
 * Emits `mail` (MailItem), `up` (with the round trip of one request, ms) / `down`, and `failed` when a (re)connect did not succeed.
 */
export class MyRelay extends EventEmitter {
  readonly relay: RelayAddress;
  #client: RelayClient | null = null;
  /** Where the mailbox and blob live: the home relay through a circuit of my relay, or my relay itself. */
  #box: RelayClient | null = null;
  #mailbox: string | null = null;
  #blob: string | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  #attempts = 0;

  constructor(
    private readonly c: {
      db: Db;
      logger: Logger;
      localAddress: string;
      bundle: () => Promise<Buffer>;
      /**
       * A second relay to keep the mailbox and prekey blob on, reached through a circuit of this one
       * (issue 13 §4): the relay the intro record names never sees my address, and my relay never
       * sees which mailbox is mine. Without it both live on my relay.
       */
      home?: RelayAddress | null;
    },
    relay: RelayAddress,
  ) {
    super();
    this.relay = relay;
  }

  get client(): RelayClient | null {
    return this.#client?.connected ? this.#client : null;
  }

  /** What the intro record publishes, once connected at least once. */
  ref(): RelayRef | null {
    if (!this.#mailbox || !this.#blob) return null;
    const at = this.c.home ?? this.relay;
    return { h: at.host, p: at.port, k: at.publicKey, m: this.#mailbox, b: this.#blob };
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    await this.#client?.close();
  }

  /** Puts the current prekey bundle on the relay again (after a rotation); a no-op while disconnected. */
  async refreshBundle(): Promise<void> {
    const client = this.client && this.#box?.connected ? this.#box : null;
    if (client) this.#blob = await client.putBlob(this.#secret('relay.blob'), await this.c.bundle());
  }

  async ack(itemIds: number[]): Promise<void> {
    if (this.#box?.connected && this.#mailbox) await this.#box.ack(this.#mailbox, itemIds);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    try {
      const client = new RelayClient({ ...this.relay, localAddress: this.c.localAddress });
      await client.connect();
      client.on('close', () => {
        if (this.#client === client) this.#client = null;
        this.emit('down');
        this.#schedule();
      });
      this.#client = client;
      const home = this.c.home;
      const box = home ? await client.openCircuit(home.host, home.port, home.publicKey) : client;
      // The home circuit ending ends this connection too: one reconnect path for both.
      if (box !== client) box.on('close', () => void client.close());
      box.on('mail', (m: MailItem) => {
        if (m.mailboxId === this.#mailbox) this.emit('mail', m);
      });
      this.#box = box;
      // The round trip of one request (through the home circuit when there is one: then guard and home).
      const asked = performance.now();
      this.#mailbox = await box.registerMailbox(this.#secret('relay.mailbox'));
      const rttMs = Math.round((performance.now() - asked) * 100) / 100;
      this.#blob = await box.putBlob(this.#secret('relay.blob'), await this.c.bundle());
      this.#attempts = 0;
      this.emit('up', rttMs);
      await box.fetch(this.#mailbox); // stored items arrive as 'mail' events
    } catch (err) {
      this.c.logger.info({ err: describeError(err) }, 'could not reach my relay; will retry');
      this.emit('failed');
      await this.#client?.close().catch(() => {});
      this.#client = null;
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#retry) return;
    const delay = Math.min(5_000, 200 * 2 ** this.#attempts++);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, delay);
    this.#retry.unref();
  }

  #secret(key: string): Buffer {
    let hex = getKv(this.c.db, key);
    if (!hex) {
      hex = randomBytes(32).toString('hex');
      setKv(this.c.db, key, hex);
    }
    return Buffer.from(hex, 'hex');
  }
}
