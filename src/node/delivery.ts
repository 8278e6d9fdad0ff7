import type { Logger } from 'pino';
import type { Content } from '../wire/content.js';
import { describeError } from '../wire/errors.js';
import { dueContacts, outboxFor, recordAttempt, relaxedTx, writeTx, setMessageState, getMessage, type Db } from '../store/index.js';
import { coveredUpTo, hasUnsynced, syncOutbox, unsyncedMark } from './queue.js';
import { nextDelay, type RetryPolicy } from './backoff.js';
import type { Router } from './router.js';
import { contentFor } from './messages-ops.js';

export interface DeliveryComponents {
  db: Db;
  router: Router;
  logger: Logger;
  now: () => number;
  onSent: (messageId: string) => void;
  /** Contents this contact should get before anything else (reach, rendezvous), each with a commit once it left. */
  updates: (contactId: string) => Array<{ content: Content; commit: () => void }>;
  /** An attempt failed for a new reason (the outbox says why it waits: the UI shows it). */
  onWaiting?: (messageId: string) => void;
}

/**
 * Drains the outbox: for every contact with messages due, send each waiting message in
 * conversation order along the route the settings allow. A message leaves the outbox only when the
 * recipient's end-to-end receipt arrives; until then it is retried with backoff.
 */
export class Delivery {
  readonly #c: DeliveryComponents;
  readonly #retry: RetryPolicy;
  readonly #tickMs: number;
  readonly #busy = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #kicked = false;
  #stopped = true;

  constructor(components: DeliveryComponents, init: { retry: RetryPolicy; tickMs?: number }) {
    this.#c = components;
    this.#retry = init.retry;
    this.#tickMs = init.tickMs ?? 250;
  }

  /** Whether attempts are being made: an outbox row may then wait for the fsync of its encryption (queue.ts). */
  get running(): boolean {
    return !this.#stopped;
  }

  start(): void {
    this.#stopped = false;
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    this.#syncOutbox();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Resolves once every attempt in flight has finished (after `stop()` and closing connections). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.#busy.values()]);
  }

  /**
   * Look at the outbox now (after a new message, or when a contact shows up): in this turn's check
   * phase (setImmediate), once however many kicks; `setTimeout(fn, 0)` waited a whole millisecond.
   */
  kick(): void {
    if (this.#stopped || this.#kicked) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      this.#tick();
    });
  }

  #tick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopped) return;
    let started = 0;
    try {
      for (const id of dueContacts(this.#c.db, this.#c.now())) {
        if (this.#busy.has(id)) continue;
        started++;
        this.#busy.set(
          id,
          this.#deliverTo(id).finally(() => this.#busy.delete(id)),
        );
      }
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'outbox scan failed');
    }
    // Outbox rows no attempt started here will encrypt (their contact's attempt is under way) are
    // made durable now; an attempt started here fsyncs whatever it writes (see #deliverTo).
    if (started === 0) this.#syncOutbox();
    if (!this.#stopped) {
      this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
      this.#timer.unref();
    }
  }

  /** Every outbox row queued with `sync: 'with-send'` made durable now (one small fsync'd commit). */
  #syncOutbox(): void {
    try {
      syncOutbox(this.#c.db);
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'could not sync the outbox');
    }
  }

  /**
   * One attempt for one contact. Outbox rows committed before it without an fsync (queue.ts) become
   * durable through the first fsync'd commit it makes: the encryption of what it sends (before the
   * bytes leave), or the failure's record; an attempt that makes neither fsyncs the outbox itself.
   */
  async #deliverTo(contactId: string): Promise<void> {
    const mark = unsyncedMark(this.#c.db);
    try {
      await this.#attempt(contactId, mark);
    } finally {
      if (hasUnsynced(this.#c.db)) this.#syncOutbox();
    }
  }

  async #attempt(contactId: string, mark: number): Promise<void> {
    const { db, now } = this.#c;
    const due = outboxFor(db, contactId);
    if (due.length === 0) return;
    const updates = this.#c.updates(contactId);
    const offset = updates.length;
    const texts = due.map((item) => contentFor(db, item));
    try {
      await this.#c.router.send(contactId, [...updates.map((u) => u.content), ...texts], (i, route) => {
        coveredUpTo(db, mark); // what was sent was encrypted, and that commit fsync'd, after `mark`
        if (i < offset) return updates[i]!.commit();
        const item = due[i - offset]!;
        // One transaction for both writes, without an fsync: if a power cut loses it, the message is
        // still in the outbox and goes again (the receiver deduplicates and answers again).
        const first = relaxedTx(db, () => {
          // A message for a `direct` contact that had to go through their relay says why, until its receipt comes.
          const note = route.reason ? `sent through their relay (${route.reason}); waiting for their end-to-end receipt` : null;
          recordAttempt(db, item.message_id, now() + nextDelay(item.attempts, this.#retry), note);
          if (getMessage(db, item.message_id)?.state !== 'queued') return false;
          setMessageState(db, item.message_id, 'sent', JSON.stringify(route));
          return true;
        });
        if (first) this.#c.onSent(item.message_id);
      });
    } catch (err) {
      if (this.#stopped) return;
      const reason = describeError(err);
      this.#c.logger.info({ err: reason, waiting: due.length }, 'delivery attempt failed; will retry');
      // Relaxed unless an outbox row still waits for an fsync: then this commit is it.
      const tx = hasUnsynced(db) ? writeTx : relaxedTx;
      const at = unsyncedMark(db);
      tx(db, () => {
        for (const item of due) recordAttempt(db, item.message_id, now() + nextDelay(item.attempts, this.#retry), reason);
      });
      if (tx === writeTx) coveredUpTo(db, at);
      for (const item of due) if (item.last_error !== reason) this.#c.onWaiting?.(item.message_id);
    }
  }
}
