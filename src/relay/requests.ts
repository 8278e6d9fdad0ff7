import type { RelayToClient } from '../wire/relay-frames.js';
import { RelayError } from './errors.js';

type Answer = Extract<RelayToClient, { id?: number }>;
interface Pending {
  resolve: (f: Answer) => void;
  reject: (err: RelayError) => void;
  timer: NodeJS.Timeout;
}

/** Requests waiting for their answer, matched by request id, each with a deadline. */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #last = 0;
  constructor(private readonly timeoutMs: number) {}

  nextId(): number {
    this.#last = this.#last >= 2 ** 32 - 1 ? 1 : this.#last + 1;
    return this.#last;
  }

  /** The answer to request `id`: its frame, or a RelayError for an `error` frame or no answer in time. */
  wait(id: number, what: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(RelayError.TIMEOUT(what));
      }, this.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
  }

  /** Hands an answer to its request; false if nobody waits for it (late, or never asked). */
  settle(f: Answer): boolean {
    if (f.id === undefined) return false;
    const p = this.#pending.get(f.id);
    if (!p) return false;
    this.#pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.t === 'error') p.reject(RelayError.fromCode(f.code));
    else p.resolve(f);
    return true;
  }

  failAll(err: RelayError): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
  }
}
