import { DhtError } from './errors.js';

/**
 * The DHT operations in flight on one node, each with a deadline. bittorrent-dht never calls back
 * once it is destroyed (and a peer's malformed reply can strand a lookup), so every operation is
 * settled here: by the library, by its deadline, or by `failAll` when the node stops.
 */
export class PendingOperations {
  readonly #fails = new Set<(err: DhtError) => void>();
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  run<T>(what: string, start: (done: (err: DhtError | null, value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (err: DhtError | null, value?: T) => {
        if (!this.#fails.delete(fail)) return;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      };
      const fail = (err: DhtError) => finish(err);
      const timer = setTimeout(() => fail(DhtError.TIMEOUT(what)), this.#timeoutMs);
      this.#fails.add(fail);
      try {
        start((err, value) => finish(err, value));
      } catch (err) {
        finish(DhtError.is(err) ? err : what === 'lookup' ? DhtError.LOOKUP_FAILED(err) : DhtError.PUT_FAILED('the DHT library refused it', err));
      }
    });
  }

  failAll(err: DhtError): void {
    for (const fail of [...this.#fails]) fail(err);
  }
}
