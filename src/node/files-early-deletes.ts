import { getKv, setKv, writeTx, type Db } from '../store/index.js';

/** Where deletes for everyone that came before their offer wait for it (JSON: [{ from, x, at }], oldest first). */
const KEY = 'files.deletedEarly';
/** At most this many are kept (a contact could send any number: the oldest go first). */
export const EARLY_DELETES_MAX = 256;
/** And each at most this long: about as long as a relay mailbox keeps an offer that waits there. */
export const EARLY_DELETE_MS = 30 * 24 * 3600 * 1000;

type Early = { from: string; x: string; at: number };

/**
 * Deletes for everyone of files not here (yet): a delete can overtake its offer (the offer waits in
 * a mailbox while the delete comes over a direct link, or the offer is sent again later), so the
 * delete is remembered, bounded in number and age, and the offer refused when it comes.
 */
export class EarlyDeletes {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  remember(from: string, x: string): void {
    writeTx(this.db, () => {
      const kept = this.#live().filter((e) => !(e.from === from && e.x === x));
      kept.push({ from, x, at: this.now() });
      setKv(this.db, KEY, JSON.stringify(kept.slice(-EARLY_DELETES_MAX)));
    });
  }

  /** Whether `from` deleted file `x` for everyone before its offer came (still remembered). */
  has(from: string, x: string): boolean {
    return this.#live().some((e) => e.from === from && e.x === x);
  }

  #live(): Early[] {
    const since = this.now() - EARLY_DELETE_MS;
    try {
      return (JSON.parse(getKv(this.db, KEY) ?? '[]') as Early[]).filter((e) => e.at > since);
    } catch {
      return [];
    }
  }
}
