import { sourceOf } from './source.js';

/** How many sockets a listener lets in, in all and per source address (IPv4, IPv6 /64). */
export interface AdmissionLimits {
  /** Connections still in their handshake or open, all together. */
  maxConnections: number;
  /** Unfinished handshakes, all together: the rest of `maxConnections` is only reachable by finishing one. */
  maxHandshakes: number;
  /** Connections (in handshake or open) from one source. */
  connectionsPerSource: number;
  /** Unfinished handshakes from one source. */
  handshakesPerSource: number;
}

export const DEFAULT_ADMISSION: Readonly<AdmissionLimits> = Object.freeze({
  maxConnections: 1024,
  maxHandshakes: 128,
  connectionsPerSource: 32,
  handshakesPerSource: 8,
});

/** Why a socket was turned away at once (reason codes, as `onRejected` reports them). */
export type Refusal = 'AT_CAPACITY' | 'HANDSHAKES_BUSY' | 'SOURCE_BUSY';

interface Counts {
  open: number;
  pending: number;
}

/**
 * Admission control for one listener: counts connections and unfinished handshakes, in all and per
 * source, so that one address can neither hold every slot nor keep every handshake slot busy.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #bySource = new Map<string, Counts>();
  #open = 0;
  #pending = 0;

  readonly #exempt: (address: string) => boolean;

  /**
   * `exempt` names addresses that speak for many people (another relay carrying its clients'
   * circuits): they are held to the totals only, not to one source's share.
   */
  constructor(limits: Partial<AdmissionLimits> = {}, exempt: (address: string) => boolean = () => false) {
    this.#exempt = exempt;
    const given = Object.fromEntries(Object.entries(limits).filter(([k, v]) => k in DEFAULT_ADMISSION && v !== undefined));
    const merged: AdmissionLimits = { ...DEFAULT_ADMISSION, ...given };
    merged.maxHandshakes = Math.min(merged.maxHandshakes, merged.maxConnections);
    this.#limits = merged;
  }

  /** Admits a new socket from `address` as an unfinished handshake, or says why not. */
  admit(address: string): { source: string } | { refused: Refusal } {
    const l = this.#limits;
    const exempt = this.#exempt(address);
    const source = exempt ? `peer ${sourceOf(address)}` : sourceOf(address);
    const mine = this.#bySource.get(source) ?? { open: 0, pending: 0 };
    if (this.#open + this.#pending >= l.maxConnections) return { refused: 'AT_CAPACITY' };
    if (!exempt && (mine.pending >= l.handshakesPerSource || mine.open + mine.pending >= l.connectionsPerSource)) return { refused: 'SOURCE_BUSY' };
    if (this.#pending >= l.maxHandshakes) return { refused: 'HANDSHAKES_BUSY' };
    mine.pending++;
    this.#pending++;
    this.#bySource.set(source, mine);
    return { source };
  }

  /** The handshake from `source` completed. */
  opened(source: string): void {
    const mine = this.#bySource.get(source);
    if (!mine) return;
    mine.pending--;
    mine.open++;
    this.#pending--;
    this.#open++;
  }

  /** A connection from `source` ended, open (`wasOpen`) or still in its handshake. */
  closed(source: string, wasOpen: boolean): void {
    const mine = this.#bySource.get(source);
    if (!mine) return;
    if (wasOpen) {
      mine.open--;
      this.#open--;
    } else {
      mine.pending--;
      this.#pending--;
    }
    if (mine.open === 0 && mine.pending === 0) this.#bySource.delete(source);
  }
}
