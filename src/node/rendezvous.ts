import type { LookupReceipt } from '../routing/receipt.js';
import type { Logger } from 'pino';
import {
  DhtError,
  dayOf,
  dayStartMs,
  openRendezvous,
  rendezvousSlot,
  sealRendezvous,
  type MutableLookup,
  type PutMutableInput,
  type RendezvousReach,
  type VerifiedRendezvous,
} from '../dht/index.js';
import type { ParleyId } from '../identity/index.js';
import { getContact, listContacts, type Db } from '../store/index.js';
import { describeError } from '../wire/errors.js';
import { rendezvousSecret } from './rendezvous-secrets.js';

/**
 * The DHT as this module needs it, injected: the node's own DHT client, or (for a `relayed` person)
 * one that reaches the DHT through a relay exit. `DhtNode` is one.
 */
export interface RendezvousDht {
  getMutable(publicKey: Buffer, salt: Uint8Array | string): Promise<MutableLookup>;
  putMutable(input: PutMutableInput): Promise<number>;
}

/**
 * A contact's reach as the router needs it, from their rendezvous record (a contact) or their intro
 * record (a stranger, or a contact whose rendezvous record was not found).
 */
/** A contact's current reach; `found` says how it was found (for the route receipt). */
export type ContactReach = Pick<VerifiedRendezvous, 'relay' | 'endpoint' | 'transportKey'> & { found?: LookupReceipt };

/** What I tell one contact in my record for them (null: nothing to tell yet). */
export type MyReach = Omit<RendezvousReach, 'expiresAt'>;

export interface RendezvousComponents {
  dht: RendezvousDht;
  db: Db;
  self: ParleyId;
  /** My reach for this contact now: relay and mailbox, and my direct endpoint only if they are `direct`. */
  reachFor: (contactId: string) => MyReach | null;
  now: () => number;
  logger: Logger;
}

export interface RendezvousInit {
  /** Between republish rounds (Mainline nodes drop items after about 2 hours). */
  intervalMs: number;
  /** How long before midnight (UTC) tomorrow's records are published as well. Default one hour. */
  aheadMs?: number;
}

/**
 * Keeps, for every contact with a rendezvous secret, my record for them (today's, and tomorrow's
 * from `aheadMs` before midnight) published, and finds theirs for me (today's, then yesterday's).
 * A round runs on start, on every interval, before midnight and whenever `refresh` says my reach
 * changed; rounds never overlap (a refresh during one runs another after it).
 */
export class Rendezvous {
  readonly #c: RendezvousComponents;
  readonly #intervalMs: number;
  readonly #aheadMs: number;
  /** Highest seq published or read per DHT target: mine only go up, theirs never go back (a replay). */
  readonly #seqs = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;
  #again = false;
  #running = false;
  /** Publishes under way (a round's, or one contact's on its own): stop() waits for them. */
  readonly #publishing = new Set<Promise<void>>();

  constructor(components: RendezvousComponents, init: RendezvousInit) {
    this.#c = components;
    this.#intervalMs = init.intervalMs;
    this.#aheadMs = init.aheadMs ?? 3_600_000;
  }

  /** Starts the first round; resolves when it ran (the node does not wait: one put per contact). */
  start(): Promise<void> {
    this.#running = true;
    return this.refresh();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
    // One contact's publish may still be between its two days' puts (the last hour before midnight);
    // it ends at its next step, before the node closes what its record describes.
    await Promise.all([...this.#publishing]);
  }

  /** Republishes every record now (my reach changed); resolves once that round ran. */
  async refresh(): Promise<void> {
    if (!this.#running) return;
    if (this.#round) {
      this.#again = true;
      return this.#round;
    }
    this.#round = this.#publishAll().finally(() => {
      this.#round = null;
      if (this.#again && this.#running) {
        this.#again = false;
        void this.refresh();
      } else this.#schedule();
    });
    return this.#round;
  }

  /**
   * Publishes my record for one contact (say, after their secret became known or their setting
   * changed). None for a request I have not accepted; for a blocked contact, one that says nothing,
   * so today's record no longer tells them where I am.
   */
  publish(contactId: string): Promise<void> {
    const done: Promise<void> = this.#publish(contactId).finally(() => this.#publishing.delete(done));
    this.#publishing.add(done);
    return done;
  }

  async #publish(contactId: string): Promise<void> {
    if (!this.#running) return;
    const state = getContact(this.#c.db, contactId)?.state;
    if (state !== 'added' && state !== 'blocked') return;
    const days = [dayOf(this.#c.now())];
    if (this.#msToMidnight() <= this.#aheadMs) days.push(days[0]! + 1);
    for (const day of days) {
      if (!this.#running) return;
      await this.#publishDay(contactId, day, state === 'added');
    }
  }

  /**
   * Their current reach for me, from today's record or else yesterday's (they may not have
   * published today's yet); null when we share no secret yet or neither is found.
   */
  async lookup(contactId: string): Promise<VerifiedRendezvous | null> {
    const secret = rendezvousSecret(this.#c.db, this.#c.self, contactId);
    if (!secret) return null;
    const today = dayOf(this.#c.now());
    for (const day of [today, today - 1]) {
      const slot = rendezvousSlot(secret, contactId as ParleyId, this.#c.self, day);
      const { record } = await this.#c.dht.getMutable(slot.keyPair.publicKey, slot.salt);
      if (!record) continue;
      try {
        const target = slot.target().toString('hex');
        if (record.seq < (this.#seqs.get(target) ?? 0)) throw DhtError.OLDER_RECORD('rendezvous record');
        const found = openRendezvous(slot, record, Math.floor(this.#c.now() / 1000));
        this.#seqs.set(target, record.seq);
        return found;
      } catch (err) {
        this.#c.logger.info({ err: describeError(err) }, 'refused a rendezvous record');
      }
    }
    return null;
  }

  async #publishAll(): Promise<void> {
    for (const contact of listContacts(this.#c.db)) {
      if (!this.#running) return;
      if (contact.state !== 'added') continue;
      await this.publish(contact.id);
    }
  }

  async #publishDay(contactId: string, day: number, tell: boolean): Promise<void> {
    const secret = rendezvousSecret(this.#c.db, this.#c.self, contactId);
    let reach: MyReach | Record<string, never> | null;
    try {
      reach = secret ? (tell ? this.#c.reachFor(contactId) : {}) : null;
    } catch (err) {
      // Callers do not wait for a publish: what fails here is said in the log, never an unhandled rejection.
      this.#c.logger.info({ err: describeError(err) }, 'could not tell where I am for a rendezvous record; the next round tries again');
      return;
    }
    if (!secret || !reach) return;
    const slot = rendezvousSlot(secret, this.#c.self, contactId as ParleyId, day);
    const target = slot.target().toString('hex');
    const seq = Math.max(this.#c.now(), (this.#seqs.get(target) ?? 0) + 1);
    // Valid through the next day, the last one on which a reader still asks for it (as yesterday's).
    const value = sealRendezvous(slot, { ...reach, expiresAt: Math.floor(dayStartMs(day + 2) / 1000) });
    try {
      await this.#c.dht.putMutable({ keyPair: slot.keyPair, salt: slot.salt, value, seq });
      this.#seqs.set(target, seq);
    } catch (err) {
      this.#c.logger.info({ err: describeError(err) }, 'could not publish a rendezvous record; the next round tries again');
    }
  }

  #msToMidnight(): number {
    const now = this.#c.now();
    return dayStartMs(dayOf(now) + 1) - now;
  }

  /** The next round: after the interval, or when tomorrow's records are due, whichever comes first. */
  #schedule(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    const untilAhead = this.#msToMidnight() - this.#aheadMs;
    const delay = untilAhead > 0 ? Math.min(this.#intervalMs, untilAhead) : this.#intervalMs;
    this.#timer = setTimeout(() => void this.refresh(), delay).unref();
  }
}
