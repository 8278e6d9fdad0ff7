import type { ParleyId } from '../identity/index.js';
import { DhtError } from './errors.js';
import type { VerifiedIntro } from './intro-record.js';

/** How many people's sequence numbers are remembered (the oldest entry goes first beyond it). */
const MAX_REMEMBERED = 10_000;

/**
 * The highest intro record sequence number seen per ID. A lookup never goes back: a DHT node that
 * replays an older (validly signed) record cannot undo a move or a withdrawn direct endpoint.
 */
export class IntroSeqs {
  readonly #seen = new Map<ParleyId, number>();

  /** Remembers `intro`'s seq; OLDER_RECORD if a higher one was seen for the same ID. */
  accept(intro: VerifiedIntro): VerifiedIntro {
    const seen = this.#seen.get(intro.id);
    if (seen !== undefined && intro.seq < seen) throw DhtError.OLDER_RECORD('intro record');
    this.#seen.delete(intro.id);
    if (this.#seen.size >= MAX_REMEMBERED) this.#seen.delete(this.#seen.keys().next().value!);
    this.#seen.set(intro.id, intro.seq);
    return intro;
  }
}

const byDht = new WeakMap<object, IntroSeqs>();

/** The memory of one DHT client: every lookup through it shares it. */
export function introSeqsOf(dht: object): IntroSeqs {
  let seqs = byDht.get(dht);
  if (!seqs) byDht.set(dht, (seqs = new IntroSeqs()));
  return seqs;
}
