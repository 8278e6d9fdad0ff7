import { createHmac } from 'node:crypto';
import { randomBytes } from '../identity/index.js';
import { sourceOf } from '../transport/index.js';
import { RelayError } from './errors.js';

/** Stored bytes charged to one source; the store that holds them says how to throw them away. */
export interface Charge {
  readonly source: string;
  readonly bytes: number;
  readonly evict: () => void;
  released: boolean;
}

/** Things a source creates that are counted, not weighed. */
export type Counted = 'mailboxes' | 'blobs';

interface Share {
  bytes: number;
  mailboxes: number;
  blobs: number;
  /** Charges oldest first; released ones are skipped, and dropped once they are half the list. */
  charges: Charge[];
  head: number;
  /** Charges not yet released. */
  live: number;
}

export interface ShareLimits {
  storedBytes: number;
  sourceStoredBytes: number;
  /** Charged per stored item on top of its bytes, for the memory an item costs whatever its size. */
  itemOverheadBytes: number;
  mailboxesPerSource: number;
  blobsPerSource: number;
}

/**
 * The relay's store, shared out by source address (IPv4 address, IPv6 /64). Mail is charged to its
 * sender, a blob to its writer, a mailbox or blob slot to whoever created it. One source holds at most its cap;
 * when the store is full, a source below its fair share (the store divided among the sources that
 * hold something) makes room by evicting the oldest bytes of the heaviest source, and a source at
 * or above its share is refused: the one filling the relay is turned away, not the newcomer.
 * Sources are kept as keyed hashes (the key dies with the process), never as addresses.
 */
export class SourceShares {
  used = 0;
  readonly #limits: ShareLimits;
  readonly #shares = new Map<string, Share>();
  /** Sources holding at least one byte (what the store is divided among). */
  #holders = 0;
  readonly #key = randomBytes(32);

  constructor(limits: ShareLimits) {
    this.#limits = limits;
  }

  /** The opaque tag that `address` is counted under. */
  tagFor(address: string): string {
    return createHmac('sha256', this.#key).update(sourceOf(address)).digest('base64url').slice(0, 22);
  }

  /**
   * Charges an item of `size` bytes to `source`, making room if it is owed some (`evict` throws this
   * item away again); `replacing` is an item it replaces. Throws SOURCE_FULL or RELAY_FULL.
   */
  reserve(source: string, size: number, evict: () => void, replacing?: Charge): Charge {
    const { storedBytes, sourceStoredBytes, itemOverheadBytes } = this.#limits;
    const n = size + itemOverheadBytes;
    const mine = this.#share(source);
    const freed = replacing && !replacing.released ? replacing.bytes : 0;
    const mineAfter = mine.bytes + n - (replacing?.source === source ? freed : 0);
    try {
      if (mineAfter > sourceStoredBytes) throw RelayError.SOURCE_FULL();
      if (this.used - freed + n > storedBytes) this.#makeRoom(source, mineAfter, this.used - freed + n - storedBytes, replacing);
    } catch (err) {
      this.#forgetIfEmpty(source, mine);
      throw err;
    }
    const charge: Charge = { source, bytes: n, evict, released: false };
    if (mine.bytes === 0) this.#holders++;
    mine.bytes += n;
    mine.charges.push(charge);
    mine.live++;
    this.used += n;
    if (replacing) this.release(replacing);
    return charge;
  }

  release(charge: Charge): void {
    if (charge.released) return;
    charge.released = true;
    this.used -= charge.bytes;
    const share = this.#shares.get(charge.source);
    if (!share) return;
    share.bytes -= charge.bytes;
    share.live--;
    if (share.bytes === 0) this.#holders--;
    // Items are released in any order (acks, expiry): a source that always holds one kept every
    // released charge behind it, a list that grew with each item it ever sent.
    if (share.charges.length > 256 && share.live * 2 < share.charges.length) {
      share.charges = share.charges.filter((c) => !c.released);
      share.head = 0;
    }
    this.#forgetIfEmpty(charge.source, share);
  }

  /** Counts a new mailbox or blob against `source`; throws TOO_MANY_MAILBOXES or RELAY_FULL beyond its cap. */
  add(source: string, kind: Counted): void {
    const mine = this.#share(source);
    const cap = kind === 'mailboxes' ? this.#limits.mailboxesPerSource : this.#limits.blobsPerSource;
    if (mine[kind] >= cap) {
      this.#forgetIfEmpty(source, mine);
      throw kind === 'mailboxes' ? RelayError.TOO_MANY_MAILBOXES() : RelayError.SOURCE_FULL();
    }
    mine[kind]++;
  }

  remove(source: string, kind: Counted): void {
    const share = this.#shares.get(source);
    if (!share) return;
    share[kind]--;
    this.#forgetIfEmpty(source, share);
  }

  /** The charges `source`'s share keeps (released ones included until they are dropped). */
  chargesKept(source: string): number {
    return this.#shares.get(source)?.charges.length ?? 0;
  }

  /** How many sources hold something now. */
  get sources(): number {
    return this.#shares.size;
  }

  #makeRoom(source: string, mineAfter: number, needed: number, keep?: Charge): void {
    const holders = this.#holders + (this.#shares.get(source)?.bytes ? 0 : 1);
    const fair = this.#limits.storedBytes / holders;
    if (mineAfter > fair) throw RelayError.RELAY_FULL();
    while (needed > 0) {
      const heaviest = this.#heaviest(source);
      if (!heaviest || heaviest.bytes <= fair) break;
      const charge = this.#oldest(heaviest, keep);
      if (!charge) break;
      needed -= charge.bytes;
      charge.evict();
      this.release(charge);
    }
    if (needed > 0) throw RelayError.RELAY_FULL();
  }

  #heaviest(except: string): Share | null {
    let best: Share | null = null;
    for (const [tag, s] of this.#shares) if (tag !== except && (!best || s.bytes > best.bytes)) best = s;
    return best;
  }

  #oldest(share: Share, keep?: Charge): Charge | null {
    while (share.head < share.charges.length && share.charges[share.head]!.released) share.head++;
    for (let i = share.head; i < share.charges.length; i++) {
      const c = share.charges[i]!;
      if (!c.released && c !== keep) return c;
    }
    return null;
  }

  #share(source: string): Share {
    let share = this.#shares.get(source);
    if (!share) {
      share = { bytes: 0, mailboxes: 0, blobs: 0, charges: [], head: 0, live: 0 };
      this.#shares.set(source, share);
    }
    return share;
  }

  #forgetIfEmpty(source: string, share: Share): void {
    if (share.bytes === 0 && share.mailboxes === 0 && share.blobs === 0) this.#shares.delete(source);
  }
}
