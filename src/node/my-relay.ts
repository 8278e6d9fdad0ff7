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
  #mailbox: string | null = null;
  #blob: string | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  #attempts = 0;

  constructor(
    private readonly c: { db: Db; logger: Logger; localAddress: string; bundle: () => Promise<Buffer> },
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
    return { h: this.relay.host, p: this.relay.port, k: this.relay.publicKey, m: this.#mailbox, b: this.#blob };
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
    const client = this.client;
    if (client) this.#blob = await client.putBlob(this.#secret('relay.blob'), await this.c.bundle());
  }

  async ack(itemIds: number[]): Promise<void> {
    if (this.#client?.connected && this.#mailbox) await this.#client.ack(this.#mailbox, itemIds);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    try {
      const client = new RelayClient({ ...this.relay, localAddress: this.c.localAddress });
      await client.connect();
      client.on('mail', (m: MailItem) => {
        if (m.mailboxId === this.#mailbox) this.emit('mail', m);
      });
      client.on('close', () => {
        if (this.#client === client) this.#client = null;
        this.emit('down');
        this.#schedule();
      });
      this.#client = client;
      const asked = performance.now();
      this.#mailbox = await client.registerMailbox(this.#secret('relay.mailbox'));
      const rttMs = Math.round((performance.now() - asked) * 100) / 100;
      this.#blob = await client.putBlob(this.#secret('relay.blob'), await this.c.bundle());
      this.#attempts = 0;
      this.emit('up', rttMs);
      await client.fetch(this.#mailbox); // stored items arrive as 'mail' events
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
