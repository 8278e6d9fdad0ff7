import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RelayClient, type MailItem } from '../relay/index.js';
import { getKv, setKv, type Db } from '../store/index.js';
import { randomBytes } from '../identity/index.js';
import { describeError } from '../wire/errors.js';
import type { RelayRef } from '../routing/relay-ref.js';

/**
 * How long the old mailbox on the guard is still read after the intro mailbox moved to a home:
 * contacts who cached the old reach (a 30 s intro cache, an intro or rendezvous record a DHT node
 * still serves until it expires, about two hours) may mail there until then.
 */
export const OLD_MAILBOX_GRACE_MS = 2 * 60 * 60_000;
const OLD_KEY = 'relay.mailbox.old';
/** The relay that saw the current mailbox secret registered straight from my address, if one did. */
const SEEN_KEY = 'relay.mailbox.seen';

/** The mailbox left on the guard when the intro mailbox moved: its secret, the guard's key, until when it is read. */
interface OldMailbox {
  secret: string;
  relay: string;
  until: number;
}

export interface RelayAddress {
  host: string;
  port: number;
  publicKey: string;
}

/**
 * This node's own relay: one connection under a fresh Noise key, our mailbox (its secret kept in
 * the database, so the mailbox ID is stable until it moves to a home relay: see moveHome), our
 * published prekey bundle as a blob, reconnection with backoff, and a fetch of everything stored
 * for us after each (re)connect.
 * Emits `mail` (MailItem), `up` (with the round trip of one request, ms) / `down`, and `failed` when a (re)connect did not succeed.
 */
export class MyRelay extends EventEmitter {
  readonly relay: RelayAddress;
  #client: RelayClient | null = null;
  /** Where the mailbox and blob live: the home relay through a circuit of my relay, or my relay itself. */
  #box: RelayClient | null = null;
  #mailbox: string | null = null;
  #blob: string | null = null;
  #home: RelayAddress | null;
  /** The old mailbox's id while it is registered on the guard connection (after a move). */
  #oldMailbox: string | null = null;
  #moving = false;
  #bundleStale = false;
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
    this.#home = c.home ?? null;
  }

  /** The relay the mailbox and blob live on besides my relay, if any. */
  get home(): RelayAddress | null {
    return this.#home;
  }

  get client(): RelayClient | null {
    return this.#client?.connected ? this.#client : null;
  }

  /** What the intro record publishes, once connected at least once. */
  ref(): RelayRef | null {
    // While moving, the old mailbox is on its way out and the new one not yet registered: no record names either.
    if (!this.#mailbox || !this.#blob || this.#moving) return null;
    const at = this.#home ?? this.relay;
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
    // While moving, the secret in the database is the new home's: never put it on my relay.
    this.#bundleStale = this.#moving;
    if (this.#moving) return;
    const client = this.client && this.#box?.connected ? this.#box : null;
    if (client) this.#blob = await client.putBlob(this.#secret('relay.blob'), await this.c.bundle());
  }

  /** Acknowledges items to the mailbox each came from: the current one, or the old one on the guard after a move. */
  async ack(items: Array<Pick<MailItem, 'mailboxId' | 'itemId'>>): Promise<void> {
    const ids = (mailbox: string | null) => items.filter((i) => i.mailboxId === mailbox).map((i) => i.itemId);
    const current = ids(this.#mailbox);
    const old = this.#oldMailbox ? ids(this.#oldMailbox) : [];
    if (current.length && this.#box?.connected && this.#mailbox) await this.#box.ack(this.#mailbox, current);
    if (old.length && this.#client?.connected && this.#oldMailbox) await this.#client.ack(this.#oldMailbox, old);
  }

  /**
   * Moves the mailbox and blob from my relay to `home`, reached through a circuit of my relay
   * (issue 13 §4), when a second relay became known after start. They go under fresh secrets: my
   * relay saw the old mailbox registered from my address, so the id the intro record will name
   * must be one it never saw. The old mailbox stays registered on my relay connection and is
   * drained, and read for OLD_MAILBOX_GRACE_MS (across restarts too) for contacts with the old
   * reach cached. Emits `up` once moved, so the intro and rendezvous records are republished.
   * False when there was nothing to move, my relay is not connected (the next relay found tries
   * again) or the home could not be reached: nothing changed then.
   */
  async moveHome(home: RelayAddress): Promise<boolean> {
    const client = this.client;
    if (this.#stopped || this.#home || this.#moving || !client) return false;
    this.#moving = true;
    const keys = ['relay.mailbox', 'relay.blob', OLD_KEY, SEEN_KEY] as const;
    const before = keys.map((k) => getKv(this.c.db, k));
    let moved = false;
    try {
      this.#freshSecrets(this.relay.publicKey);
      this.#home = home;
      // Mail for the old mailbox, pushed on this connection, goes on through the old-mailbox listener.
      this.#oldMailbox = this.#mailbox;
      const rttMs = await this.#openBox(client);
      moved = true;
      if (this.#bundleStale) this.#blob = await this.#box!.putBlob(this.#secret('relay.blob'), await this.c.bundle()); // rotated while moving
      this.#moving = false; // moved: the records may name the new mailbox now
      this.emit('up', rttMs);
      await this.#box!.fetch(this.#mailbox!);
      await this.#drainOld(client);
      return true;
    } catch (err) {
      if (moved) {
        // The new mailbox is registered and may be published: keep it; reconnecting reopens the
        // home and drains the old mailbox again.
        this.c.logger.info({ err: describeError(err) }, 'my relay connection failed right after my mailbox moved; reconnecting');
        await client.close().catch(() => {});
        return true;
      }
      this.c.logger.info({ err: describeError(err) }, 'could not move my mailbox to a second relay; it stays on my relay');
      keys.forEach((k, i) => setKv(this.c.db, k, before[i] ?? ''));
      this.#home = null;
      this.#oldMailbox = null;
      return false;
    } finally {
      this.#moving = false;
    }
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
      client.on('mail', (m: MailItem) => {
        if (this.#oldMailbox && m.mailboxId === this.#oldMailbox) this.emit('mail', m);
      });
      // A home, and a relay saw this mailbox registered from my address (a run with one relay):
      // the mailbox the home keeps must be one no relay saw with my address (§4).
      const seen = getKv(this.c.db, SEEN_KEY);
      if (this.#home && seen) this.#freshSecrets(seen);
      const rttMs = await this.#openBox(client);
      this.#attempts = 0;
      this.emit('up', rttMs);
      await this.#box!.fetch(this.#mailbox!); // stored items arrive as 'mail' events
      await this.#drainOld(client);
    } catch (err) {
      this.c.logger.info({ err: describeError(err) }, 'could not reach my relay; will retry');
      this.emit('failed');
      await this.#client?.close().catch(() => {});
      this.#client = null;
      this.#schedule();
    }
  }

  /**
   * Opens where the mailbox and blob live (the home through a circuit of `client`, or `client`),
   * registers the mailbox and puts the blob; returns the round trip of the register request, ms.
   */
  async #openBox(client: RelayClient): Promise<number> {
    const home = this.#home;
    const box = home ? await client.openCircuit(home.host, home.port, home.publicKey) : client;
    // The home circuit ending ends this connection too (once in use): one reconnect path for both.
    if (box !== client) box.on('close', () => void (box === this.#box && client.close()));
    box.on('mail', (m: MailItem) => {
      if (box === this.#box && m.mailboxId === this.#mailbox && m.mailboxId !== this.#oldMailbox) this.emit('mail', m);
    });
    let mailbox: string, blob: string, rttMs: number;
    try {
      // The round trip of one request (through the home circuit when there is one: then guard and home).
      const asked = performance.now();
      mailbox = await box.registerMailbox(this.#secret('relay.mailbox'));
      rttMs = Math.round((performance.now() - asked) * 100) / 100;
      blob = await box.putBlob(this.#secret('relay.blob'), await this.c.bundle());
    } catch (err) {
      if (box !== client) await box.close().catch(() => {}); // a circuit never used
      throw err;
    }
    if (box === client) setKv(this.c.db, SEEN_KEY, this.relay.publicKey);
    this.#box = box;
    this.#mailbox = mailbox;
    this.#blob = blob;
    return rttMs;
  }

  /** New mailbox and blob secrets; the current mailbox, which `relay` saw with my address, is kept to drain for a while. */
  #freshSecrets(relay: string): void {
    const saved: OldMailbox = { secret: this.#secret('relay.mailbox').toString('hex'), relay, until: Date.now() + OLD_MAILBOX_GRACE_MS };
    setKv(this.c.db, OLD_KEY, JSON.stringify(saved));
    setKv(this.c.db, 'relay.mailbox', randomBytes(32).toString('hex'));
    setKv(this.c.db, 'relay.blob', randomBytes(32).toString('hex'));
    setKv(this.c.db, SEEN_KEY, '');
  }

  /** Fetches (and keeps registered, for live mail) the old mailbox left on this guard by a move, while its grace lasts. */
  async #drainOld(client: RelayClient): Promise<void> {
    const old = this.#savedOld();
    if (!old || old.relay !== this.relay.publicKey || old.until <= Date.now()) {
      if (old) setKv(this.c.db, OLD_KEY, '');
      this.#oldMailbox = null;
      return;
    }
    this.#oldMailbox = await client.registerMailbox(Buffer.from(old.secret, 'hex'));
    await client.fetch(this.#oldMailbox); // what it still holds arrives as 'mail' events
  }

  #savedOld(): OldMailbox | null {
    try {
      const saved = JSON.parse(getKv(this.c.db, OLD_KEY) || 'null') as OldMailbox | null;
      return saved && typeof saved.secret === 'string' && typeof saved.relay === 'string' && typeof saved.until === 'number' ? saved : null;
    } catch {
      return null;
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
