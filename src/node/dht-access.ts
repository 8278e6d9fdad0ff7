import type { Logger } from 'pino';
import { DhtError, hasValidSignature, signable, type DhtNode, type MutableLookup, type MutableRecord, type PutMutableInput } from '../dht/index.js';
import { RelayError, type RelayClient } from '../relay/index.js';
import { describeError } from '../wire/errors.js';
import type { RelayAddress } from './my-relay.js';
import type { LookupReceipt } from '../routing/receipt.js';
import { DHT_WAITING_SENTENCE, NodeError } from './errors.js';

/**
 * How a person reaches the DHT for everything that names an identity: publishing their intro record
 * and attestations, looking up a contact's or a stranger's intro record. What `Republisher`,
 * `lookupIntro`, `AttestationKeeper` and `Signup` take as their `dht` (the same two calls as a
 * DhtNode), plus where that traffic leaves from, for receipts and status.
 *
 * - `own-address`: from this device's DHT node. Only for a person reachable directly by strangers
 *   (their address is in their intro record anyway), or with no relay at all (said as a warning).
 * - `waiting`: a relayed person with one relay known and no second to exit through. Nothing leaves:
 *   every call fails with DHT_WAITING (the outbox, the UI and `parley status` say so) and the work
 *   is retried once a second relay is known (issue 13 §5, no silent downgrade). The guard cannot be
 *   its own exit: it would see both the address and the question.
 * - `exit`: through a circuit, guard relay (my relay: sees my address, not the question) → exit relay
 *   (performs the get/put: sees the question, not my address). A record the exit returns is
 *   verified here; a record to publish is signed here. Publishing (which names me anyway) shares
 *   one circuit; every lookup gets a circuit of its own, so the exit cannot tie the IDs I look up
 *   to each other or to mine.
 */
export interface DhtAccess {
  putMutable(input: PutMutableInput): Promise<number>;
  getMutable(publicKey: Buffer, salt: Uint8Array | string): Promise<MutableLookup>;
  /** Where this traffic leaves from now. */
  route(): DhtRoute;
}

export type DhtRoute =
  | { via: 'own-address'; why: 'reachable-by-strangers' | 'no-relay' }
  | { via: 'waiting'; why: 'no-exit' }
  | { via: 'exit'; guard: RelayAddress; exit: RelayAddress };

/** Straight from this device's DHT node. */
export function directAccess(dht: Pick<DhtNode, 'putMutable' | 'getMutable'>, why: 'reachable-by-strangers' | 'no-relay'): DhtAccess {
  return {
    putMutable: (input) => dht.putMutable(input),
    getMutable: (key, salt) => dht.getMutable(key, salt),
    route: () => ({ via: 'own-address', why }),
  };
}

export interface ExitAccessComponents {
  /** My relay's connection (the guard), or null while it is down. */
  guard: () => RelayClient | null;
  guardAddress: RelayAddress;
  /** Exit candidates, tried in order; never the guard. */
  exits: RelayAddress[];
  logger: Logger;
}

/** An exit answers within the DHT's own operation timeout (30 s), plus the way through two relays. */
const EXIT_TIMEOUT_MS = 35_000;

/** Through a circuit: guard relay → exit relay, which gets or puts the record for us. */
export class ExitAccess implements DhtAccess {
  readonly #c: ExitAccessComponents;
  #current = 0;
  #own: Promise<RelayClient> | null = null;

  constructor(c: ExitAccessComponents) {
    if (c.exits.length === 0) throw new TypeError('an exit access needs an exit relay');
    this.#c = c;
  }

  route(): DhtRoute {
    return { via: 'exit', guard: this.#c.guardAddress, exit: this.#exit() };
  }

  /** Closes the publishing circuit (closing the guard connection closes it too). */
  async close(): Promise<void> {
    const own = this.#own;
    this.#own = null;
    await own?.then((c) => c.close()).catch(() => {});
  }

  async putMutable(input: PutMutableInput): Promise<number> {
    const salt = Buffer.from(typeof input.salt === 'string' ? Buffer.from(input.salt, 'utf8') : input.salt);
    const sig = input.keyPair.sign(signable(salt, input.seq, input.value));
    const record = { key: input.keyPair.publicKey, salt, seq: input.seq, value: input.value, sig };
    try {
      return await (await this.#ownCircuit()).dhtPut(record);
    } catch (err) {
      this.#own = null;
      throw fromExit(err);
    }
  }

  async getMutable(publicKey: Buffer, saltInput: Uint8Array | string): Promise<MutableLookup> {
    const salt = Buffer.from(typeof saltInput === 'string' ? Buffer.from(saltInput, 'utf8') : saltInput);
    const exit = await this.#open();
    const started = performance.now();
    try {
      const { record: r, rejected } = await exit.dhtGet(publicKey, salt);
      // Through an exit the record arrives whole: its first match is when the exit's answer came.
      const firstMatchMs = r ? performance.now() - started : null;
      const reasons = Array.from({ length: Math.min(rejected, 8) }, () => 'bad signature' as const);
      if (!r) return { record: null, rejected: reasons, firstMatchMs };
      const record: MutableRecord = { publicKey, salt, seq: r.seq, value: r.value, signature: r.sig };
      // The exit's word is not proof: a record reaches code that trusts it only once its signature verified here.
      return hasValidSignature(record)
        ? { record, rejected: reasons, firstMatchMs }
        : { record: null, rejected: [...reasons, 'bad signature'], firstMatchMs: null };
    } catch (err) {
      throw fromExit(err);
    } finally {
      void exit.close();
    }
  }

  #exit(): RelayAddress {
    return this.#c.exits[this.#current % this.#c.exits.length]!;
  }

  #ownCircuit(): Promise<RelayClient> {
    const open = this.#own;
    if (open) {
      return open.then(
        (c) => (c.connected ? c : this.#reopen()),
        () => this.#reopen(),
      );
    }
    return this.#reopen();
  }

  #reopen(): Promise<RelayClient> {
    const p = this.#open();
    this.#own = p;
    p.catch(() => {
      if (this.#own === p) this.#own = null;
    });
    return p;
  }

  /** A new circuit to the current exit; on failure the next candidate becomes current. */
  async #open(): Promise<RelayClient> {
    const guard = this.#c.guard();
    if (!guard) throw NodeError.UNREACHABLE('your relay is unreachable, and DHT lookups and publishing never leave from your own address');
    const exit = this.#exit();
    try {
      return await guard.openCircuit(exit.host, exit.port, exit.publicKey, EXIT_TIMEOUT_MS);
    } catch (err) {
      this.#current++;
      this.#c.logger.info({ err: describeError(err) }, 'could not open a circuit to the DHT exit relay; trying the next one');
      throw err;
    }
  }
}

/** The republisher reads STALE_SEQ as "the network holds a higher seq": the exit's word keeps that meaning. */
function fromExit(err: unknown): unknown {
  if (RelayError.is(err) && err.code === 'EXIT_STALE_SEQ') return DhtError.STALE_SEQ();
  return err;
}

/** Nothing leaves: every call says it waits for a second relay, and `onWait` asks for one to be found. */
export function waitingAccess(onWait: () => void): DhtAccess {
  const wait = (): Promise<never> => {
    onWait();
    return Promise.reject(NodeError.DHT_WAITING());
  };
  return { putMutable: wait, getMutable: wait, route: () => ({ via: 'waiting', why: 'no-exit' }) };
}

export interface PersonAccessComponents {
  dht: DhtNode;
  /** The exit access once a second relay is known (asked again on every call: one may turn up later); null until then. */
  exit: () => ExitAccess | null;
  hasRelay: boolean;
  reachableByStrangers: () => boolean;
  /** Called whenever identity-linked traffic had to wait for a second relay (the pool looks again soon). */
  onWait?: () => void;
}

/**
 * The one DHT access of a person: direct when they are reachable by strangers (or have no relay at
 * all), else through an exit, else waiting for one — never from their address because a relay is missing.
 */
export function personAccess(c: PersonAccessComponents): DhtAccess {
  const waiting = waitingAccess(() => c.onWait?.());
  const pick = (): DhtAccess => {
    if (c.reachableByStrangers()) return directAccess(c.dht, 'reachable-by-strangers');
    if (!c.hasRelay) return directAccess(c.dht, 'no-relay');
    return c.exit() ?? waiting;
  };
  return {
    putMutable: (input) => pick().putMutable(input),
    getMutable: (key, salt) => pick().getMutable(key, salt),
    route: () => pick().route(),
  };
}

/** What the privacy summary says about the DHT traffic (issue 13 §8); `private` false is a warning, `waiting` that it is held back. */
export interface DhtTraffic {
  private: boolean;
  sentence: string;
  waiting?: boolean;
}

const OWN_ADDRESS_RISK = 'DHT nodes can tie your address to your ID and to the IDs you look up';

export function describeDhtRoute(route: DhtRoute): DhtTraffic {
  if (route.via === 'exit') {
    const exit = `${route.exit.host}:${route.exit.port}`;
    return {
      private: true,
      sentence: `Your DHT traffic (publishing your intro record, looking people up) leaves through relay ${exit}, reached through your relay ${route.guard.host}:${route.guard.port}: DHT nodes see that relay's address, not yours.`,
    };
  }
  if (route.why === 'reachable-by-strangers') {
    return {
      private: true,
      sentence: 'Your DHT traffic leaves from your own address: you chose to be reachable directly by strangers, so your intro record names it anyway.',
    };
  }
  if (route.via === 'waiting') {
    return {
      private: true,
      waiting: true,
      sentence: `Your DHT traffic is ${DHT_WAITING_SENTENCE}: publishing your intro record and looking up contacts you have no route to yet wait until one is known.`,
    };
  }
  return { private: false, sentence: `Warning: your DHT traffic leaves from your own address, because you have no relay: ${OWN_ADDRESS_RISK}.` };
}

/** Where a lookup made now leaves from, as the route receipt says it (none while waiting: no lookup leaves). */
export function lookupVia(route: DhtRoute): LookupReceipt['via'] {
  if (route.via === 'exit') return { exit: `${route.exit.host}:${route.exit.port}` };
  if (route.via === 'own-address') return { ownAddress: route.why };
  return undefined;
}
