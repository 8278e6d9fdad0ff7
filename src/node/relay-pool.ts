import type { Logger } from 'pino';
import { z } from 'zod';
import type { DhtNode } from '../dht/index.js';
import { getKv, setKv, type Db } from '../store/index.js';
import { randomBytes } from '../identity/index.js';
import { describeError } from '../wire/errors.js';
import { KV } from './kv-keys.js';
import type { RelayAddress } from './my-relay.js';
import { chooseGuard, chooseOtherHop, healthy, type MeasuredRelay } from './relay-choice.js';
import { discoverRelays, locateRelay, measureRelay } from './relay-probe.js';

/** How a relay became known: named by the person (`--relay`, the testnet's list) or found in the DHT. */
export type RelaySource = 'named' | 'dht';
/**
 * What this node uses a relay for: the guard sees its IP; the intro mailbox (and prekey blob) the
 * intro record names is on the guard, or on a home relay reached through the guard when another
 * relay is known; DHT exits perform its identity-linked DHT lookups and publishing.
 */
export type RelayUse = 'guard' | 'intro-mailbox' | 'dht-exit';
const USE_ORDER: RelayUse[] = ['guard', 'intro-mailbox', 'dht-exit'];

/** Saves what each relay is used for in this run besides being the guard (`parley relays` shows it). */
export function saveRelayUses(db: Db, uses: Record<string, RelayUse[]>): void {
  setKv(db, KV.relayUses, JSON.stringify(uses));
}

function savedUses(db: Db): Record<string, RelayUse[]> {
  try {
    const parsed = JSON.parse(getKv(db, KV.relayUses) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, RelayUse[]>) : {};
  } catch {
    return {};
  }
}

const Entry = z.object({
  host: z.string(),
  port: z.number().int(),
  publicKey: z.string(),
  source: z.enum(['named', 'dht']),
  rttMs: z.number().nullable(),
  failuresInARow: z.number().int(),
  lastOkAt: z.number().nullable(),
});
type Entry = z.infer<typeof Entry>;

/** A known relay as `parley relays` and the API show it. */
export interface RelayView extends Entry {
  pinned: boolean;
  excluded: boolean;
  uses: RelayUse[];
}

export interface RelayPoolComponents {
  db: Db;
  dht: Pick<DhtNode, 'findPeers' | 'getMutable'>;
  logger: Logger;
  localAddress: string;
  /** Closed local networks (loopback, private addresses): relays may sit there too. */
  allowPrivate: boolean;
  now: () => number;
  random?: () => number;
  /** A refresh found a relay answering that did not before: new, or back (a second relay to exit through, say). */
  onFound?: () => void;
}

/** How often the pool looks for relays again and re-measures those it knows. */
export const REFRESH_MS = 30 * 60_000;
const MAX_ENTRIES = 64;
/** While something waits for another relay (lookAgainSoon), the pool looks again after 2 s, doubling up to a minute. */
const SOON_FIRST_MS = 2_000;
const SOON_MAX_MS = 60_000;
const Keys = z.array(z.string());

/**
 * The relays this node knows: found in the DHT (see relay-probe.ts) or named by the person, each with
 * its measured round trip and failures, kept in the store. Chooses the guard (relay-choice.ts) and
 * remembers it; a relay that fails is measured as failing and is not chosen again.
 */
export class RelayPool {
  readonly #c: RelayPoolComponents;
  readonly #named: RelayAddress[];
  readonly #keys: string[];
  #guard: RelayAddress | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<void> | null = null;
  #stopped = false;
  #soon: NodeJS.Timeout | null = null;
  #soonDelay = SOON_FIRST_MS;

  constructor(c: RelayPoolComponents, o: { named: RelayAddress[]; keys: string[] }) {
    this.#c = c;
    this.#named = o.named;
    this.#keys = o.keys;
  }

  /**
   * Chooses the guard. With relays named, among them, contacting none (a probe shows the relay our
   * IP: only the guard's own connection measures it); otherwise the remembered guard if it still
   * answers, else the relays the DHT lists, each verified and measured.
   */
  async start(): Promise<RelayAddress | null> {
    const named = [...this.#named, ...(await this.#located())];
    if (named.length) {
      this.#merge(named, 'named');
      this.#guard = this.#choose(named);
    } else {
      const kept = this.#entries().find((e) => e.publicKey === getKv(this.#c.db, KV.relayGuard) && !excludedOf(this.#c.db).includes(e.publicKey));
      if (kept) await this.#measure([kept]);
      const still = kept && this.#entries().find((e) => e.publicKey === kept.publicKey && healthy(e));
      if (!still || pinnedOf(this.#c.db).length) await this.refresh();
      else this.#background(this.refresh());
      this.#guard = this.#choose(this.#entries());
      this.#timer = setInterval(() => this.#background(this.refresh()), REFRESH_MS);
      this.#timer.unref();
    }
    return this.#guard;
  }

  /** Stops refreshing; measurements still under way are dropped (the store closes after this). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    this.#timer = null;
    this.#soon = null;
  }

  /**
   * Someone waits for a relay the pool does not know yet (a DHT exit besides the guard): looks the
   * DHT over again after 2 s, then backing off up to a minute, until one is found (`onFound`),
   * instead of at the next half hour. Only relays found in the DHT can turn up this way (named
   * relays are the whole choice).
   */
  lookAgainSoon(): void {
    if (this.#stopped || this.#soon || this.#named.length || this.#keys.length) return;
    const delay = this.#soonDelay;
    this.#soonDelay = Math.min(SOON_MAX_MS, delay * 2);
    const again = (found: boolean) => {
      this.#soon = null;
      if (!found) this.lookAgainSoon();
    };
    this.#soon = setTimeout(() => {
      // After a refresh already under way, not beside it.
      void (this.#refreshing ?? Promise.resolve()).then(() => this.refresh()).then(again, () => again(false));
    }, delay);
    this.#soon.unref();
  }

  get guard(): RelayAddress | null {
    return this.#guard;
  }

  #background(work: Promise<unknown>): void {
    if (this.#refreshing) return;
    this.#refreshing = work
      .then(() => {})
      .catch((err: unknown) => this.#c.logger.info({ err: describeError(err) }, 'measuring relays failed'))
      .finally(() => (this.#refreshing = null));
  }

  /** Looks the DHT over for relays again and measures every known one that is not excluded; true if one answers that did not before (new, or back). */
  async refresh(): Promise<boolean> {
    const before = new Set(
      this.#entries()
        .filter((e) => e.failuresInARow === 0 && e.lastOkAt !== null)
        .map((e) => e.publicKey),
    );
    try {
      this.#merge(await discoverRelays(this.#c), 'dht');
    } catch (err) {
      this.#c.logger.info({ err: describeError(err) }, 'could not look for relays in the DHT');
    }
    const excluded = excludedOf(this.#c.db);
    await this.#measure(this.#entries().filter((e) => !excluded.includes(e.publicKey)));
    const found = !this.#stopped && this.#entries().some((e) => !before.has(e.publicKey) && e.failuresInARow === 0 && e.lastOkAt !== null);
    if (found) {
      this.#soonDelay = SOON_FIRST_MS;
      this.#c.onFound?.();
    }
    return found;
  }

  /** What a connection to `publicKey` showed: it answered (with a round trip, when timed) or it failed. */
  report(publicKey: string, ok: boolean, rttMs?: number): void {
    if (this.#stopped) return;
    this.#update(publicKey, (e) =>
      ok ? { ...e, failuresInARow: 0, lastOkAt: this.#c.now(), rttMs: rttMs ?? e.rttMs } : { ...e, failuresInARow: e.failuresInARow + 1 },
    );
  }

  /** A relay for another hop of a circuit through the guard: answering, and in another /16. */
  otherHop(others: RelayAddress[] = []): RelayAddress | null {
    const hop = chooseOtherHop(this.#entries(), [...(this.#guard ? [this.#guard] : []), ...others], excludedOf(this.#c.db), this.#random);
    return hop ? { host: hop.host, port: hop.port, publicKey: hop.publicKey } : null;
  }

  list(): RelayView[] {
    return relayViews(this.#c.db, this.#guard?.publicKey ?? null);
  }

  #choose(relays: Array<RelayAddress & Partial<MeasuredRelay>>): RelayAddress | null {
    const db = this.#c.db;
    const measured = relays.map((r) => this.#entries().find((e) => e.publicKey === r.publicKey) ?? { ...r, rttMs: null, failuresInARow: 0 });
    const legacy = getKv(db, KV.relayChosen); // before the pool: the guard was remembered as host:port
    const remembered = getKv(db, KV.relayGuard) ?? measured.find((r) => `${r.host}:${r.port}` === legacy)?.publicKey ?? null;
    const pick = chooseGuard({ relays: measured, pinned: pinnedOf(db), excluded: excludedOf(db), remembered, random: this.#random });
    if (!pick) return null;
    setKv(db, KV.relayGuard, pick.publicKey);
    setKv(db, KV.relayChosen, `${pick.host}:${pick.port}`);
    return { host: pick.host, port: pick.port, publicKey: pick.publicKey };
  }

  async #located(): Promise<RelayAddress[]> {
    const found: RelayAddress[] = [];
    for (const key of this.#keys) {
      try {
        found.push(await locateRelay(this.#c.dht, key));
      } catch (err) {
        this.#c.logger.warn({ err: describeError(err) }, 'a relay named by key was not found in the DHT');
      }
    }
    return found;
  }

  async #measure(relays: RelayAddress[]): Promise<void> {
    await Promise.all(
      relays.map(async (r) => {
        const rtt = await measureRelay(r, this.#c.localAddress);
        this.report(r.publicKey, rtt !== null, rtt ?? undefined);
      }),
    );
  }

  #merge(relays: RelayAddress[], source: RelaySource): void {
    if (this.#stopped) return;
    const entries = this.#entries();
    for (const r of relays) {
      const i = entries.findIndex((e) => e.publicKey === r.publicKey);
      const old = entries[i];
      const fresh: Entry = {
        host: r.host,
        port: r.port,
        publicKey: r.publicKey,
        source: old?.source === 'named' ? 'named' : source,
        rttMs: null,
        failuresInARow: 0,
        lastOkAt: null,
      };
      if (old) entries[i] = { ...old, host: r.host, port: r.port, source: fresh.source };
      else entries.push(fresh);
    }
    this.#save(entries);
  }

  #update(publicKey: string, change: (e: Entry) => Entry): void {
    const entries = this.#entries();
    const i = entries.findIndex((e) => e.publicKey === publicKey);
    if (i < 0) return;
    entries[i] = change(entries[i]!);
    this.#save(entries);
  }

  #entries(): Entry[] {
    return poolEntries(this.#c.db);
  }

  #save(entries: Entry[]): void {
    // Bounded: the named ones and the most recently answering first.
    const kept = [...entries]
      .sort((a, b) => Number(b.source === 'named') - Number(a.source === 'named') || (b.lastOkAt ?? 0) - (a.lastOkAt ?? 0))
      .slice(0, MAX_ENTRIES);
    setKv(this.#c.db, KV.relayPool, JSON.stringify(kept));
  }

  readonly #random = () => (this.#c.random ?? (() => randomBytes(4).readUInt32BE(0) / 2 ** 32))();
}

function poolEntries(db: Db): Entry[] {
  try {
    return z.array(Entry).parse(JSON.parse(getKv(db, KV.relayPool) ?? '[]'));
  } catch {
    return []; // unreadable: forgotten, found again
  }
}

function keysAt(db: Db, key: string): string[] {
  try {
    return Keys.parse(JSON.parse(getKv(db, key) ?? '[]'));
  } catch {
    return [];
  }
}

export const pinnedOf = (db: Db) => keysAt(db, KV.relaysPinned);
export const excludedOf = (db: Db) => keysAt(db, KV.relaysExcluded);

/**
 * Pins a relay (it becomes the guard at the next start), or excludes it (never used again), or undoes
 * either. Pinning a relay lifts its exclusion and the other way round.
 */
export function markRelay(db: Db, publicKey: string, mark: 'pin' | 'unpin' | 'exclude' | 'include'): void {
  const pinned = pinnedOf(db).filter((k) => k !== publicKey);
  const excluded = excludedOf(db).filter((k) => k !== publicKey);
  if (mark === 'pin') pinned.push(publicKey);
  if (mark === 'exclude') excluded.push(publicKey);
  setKv(db, KV.relaysPinned, JSON.stringify(pinned));
  setKv(db, KV.relaysExcluded, JSON.stringify(excluded));
}

/** Every known relay (and every pinned or excluded one), with what it is used for. */
export function relayViews(db: Db, guard: string | null = getKv(db, KV.relayGuard) ?? null): RelayView[] {
  const pinned = pinnedOf(db);
  const excluded = excludedOf(db);
  const saved = savedUses(db);
  return poolEntries(db).map((e) => {
    const uses = new Set<RelayUse>([...(e.publicKey === guard ? (['guard'] as const) : []), ...(saved[e.publicKey] ?? []).filter((u) => u !== 'guard')]);
    return { ...e, pinned: pinned.includes(e.publicKey), excluded: excluded.includes(e.publicKey), uses: USE_ORDER.filter((u) => uses.has(u)) };
  });
}
