import { RelayError } from './errors.js';
import type { RelayLimits } from './limits.js';
import type { Clock } from './quota.js';
import type { Charge, SourceShares } from './shares.js';

export interface StoredItem {
  item: number;
  bytes: Buffer;
  expiresAt: number;
}

interface HeldItem extends StoredItem {
  charge: Charge;
}

/** The connection that receives a mailbox's items live. */
export interface MailOwner {
  push(mailbox: string, item: StoredItem): void;
}

interface Mailbox {
  items: Map<number, HeldItem>; // in item order, which is also expiry order
  bytes: number;
  next: number;
  owner: MailOwner | null;
  keepUntil: number;
  /** The source it is counted against (whoever created it). */
  source: string;
  /** Whether its owner ever fetched from it or acknowledged in it: a mailbox nobody reads goes sooner. */
  read: boolean;
}

export interface MailboxDeps {
  limits: RelayLimits;
  shares: SourceShares;
  now: Clock;
  drop: (reason: string, n: number) => void;
}

/**
 * Mailboxes keyed by id (= hash of the owner's secret: the secret itself is never kept). Items are
 * ciphertext, kept in memory until acknowledged or expired, within per-mailbox, per-source and
 * relay-wide quotas.
 */
export class MailboxStore {
  readonly #boxes = new Map<string, Mailbox>();
  #items = 0;
  #bytes = 0;
  constructor(private readonly deps: MailboxDeps) {}

  /** `source` is the registering connection's (a new mailbox counts against it). */
  register(id: string, owner: MailOwner, source: string): void {
    const { limits, now, shares } = this.deps;
    let box = this.#boxes.get(id);
    if (!box) {
      if (this.#boxes.size >= limits.maxMailboxes) this.sweep();
      if (this.#boxes.size >= limits.maxMailboxes) throw RelayError.RELAY_FULL();
      shares.add(source, 'mailboxes');
      box = { items: new Map(), bytes: 0, next: 1, owner: null, keepUntil: 0, source, read: false };
      this.#boxes.set(id, box);
    }
    box.owner = owner;
    box.keepUntil = now() + limits.mailboxTtlMs;
  }

  /** The owner's connection ended: the mailbox stays, for senders, until its TTL. */
  release(id: string, owner: MailOwner): void {
    const box = this.#boxes.get(id);
    if (!box || box.owner !== owner) return;
    box.owner = null;
    const { mailboxTtlMs, unfetchedMailboxTtlMs } = this.deps.limits;
    box.keepUntil = this.deps.now() + (box.read ? mailboxTtlMs : unfetchedMailboxTtlMs);
  }

  /** Stores `bytes`, charged to the sender's `source`, and pushes them to the owner if connected. */
  put(id: string, bytes: Buffer, source: string): StoredItem {
    const { limits, shares, now } = this.deps;
    const box = this.#boxes.get(id);
    if (!box) throw RelayError.UNKNOWN_MAILBOX();
    if (bytes.length > limits.mailItemBytes) throw RelayError.TOO_LARGE(bytes.length, limits.mailItemBytes);
    const t = now();
    this.#expire(box, t);
    if (box.items.size >= limits.mailboxItems || box.bytes + bytes.length > limits.mailboxBytes) throw RelayError.MAILBOX_FULL();
    const item = box.next;
    const charge = shares.reserve(source, bytes.length, () => {
      if (this.#delete(box, item)) this.deps.drop('EVICTED', 1);
    });
    box.next++;
    const stored: HeldItem = { item, bytes, expiresAt: t + limits.itemTtlMs, charge };
    box.items.set(item, stored);
    box.bytes += bytes.length;
    this.#items++;
    this.#bytes += bytes.length;
    box.owner?.push(id, stored);
    return stored;
  }

  /** Stored items after item number `after`, oldest first, within the fetch bounds. */
  list(id: string, after = 0): { items: StoredItem[]; more: boolean } {
    const { fetchItems, fetchBytes } = this.deps.limits;
    const box = this.#boxes.get(id);
    if (!box) return { items: [], more: false };
    box.read = true;
    this.#expire(box);
    const items: StoredItem[] = [];
    let bytes = 0;
    for (const it of box.items.values()) {
      if (it.item <= after) continue;
      if (items.length >= fetchItems || (items.length > 0 && bytes + it.bytes.length > fetchBytes)) return { items, more: true };
      items.push(it);
      bytes += it.bytes.length;
    }
    return { items, more: false };
  }

  /** Deletes acknowledged items; returns how many were stored. */
  ack(id: string, items: number[]): number {
    const box = this.#boxes.get(id);
    if (!box) return 0;
    box.read = true;
    let n = 0;
    for (const item of items) if (this.#delete(box, item)) n++;
    return n;
  }

  /** Drops expired items, and mailboxes whose owner has been away past their TTL. */
  sweep(): void {
    const t = this.deps.now();
    for (const [id, box] of this.#boxes) {
      this.#expire(box, t);
      if (box.owner === null && box.keepUntil <= t) {
        if (box.items.size > 0) this.deps.drop('MAILBOX_EXPIRED', box.items.size);
        for (const item of [...box.items.keys()]) this.#delete(box, item);
        this.#boxes.delete(id);
        this.deps.shares.remove(box.source, 'mailboxes');
      }
    }
  }

  stats(): { mailboxes: number; items: number; bytes: number } {
    return { mailboxes: this.#boxes.size, items: this.#items, bytes: this.#bytes };
  }

  /** Every stored item with its mailbox id, as an operator's memory dump would show them (tests). */
  *dump(): Iterable<{ id: string; bytes: Buffer }> {
    for (const [id, box] of this.#boxes) for (const it of box.items.values()) yield { id, bytes: it.bytes };
  }

  clear(): void {
    for (const [id, box] of this.#boxes) {
      for (const item of [...box.items.keys()]) this.#delete(box, item);
      this.#boxes.delete(id);
      this.deps.shares.remove(box.source, 'mailboxes');
    }
  }

  #expire(box: Mailbox, t = this.deps.now()): void {
    for (const it of box.items.values()) {
      if (it.expiresAt > t) break;
      this.#delete(box, it.item);
      this.deps.drop('ITEM_EXPIRED', 1);
    }
  }

  #delete(box: Mailbox, item: number): boolean {
    const it = box.items.get(item);
    if (!it) return false;
    box.items.delete(item);
    box.bytes -= it.bytes.length;
    this.#items--;
    this.#bytes -= it.bytes.length;
    this.deps.shares.release(it.charge);
    return true;
  }
}
