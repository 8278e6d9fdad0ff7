import { randomBytes } from '../identity/index.js';
import { NodeError } from './errors.js';
import type { PeerConn } from './peers.js';

/** Asks a peer for a prekey bundle and matches the answer by nonce; bounded wait. */
export class BundleRequests {
  readonly #pending = new Map<string, { resolve: (b: Record<string, unknown>) => void; reject: (e: Error) => void }>();

  request(conn: PeerConn, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const n = randomBytes(12).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(n);
        reject(NodeError.UNREACHABLE('no prekey bundle in time'));
      }, timeoutMs);
      const onClose = () => {
        clearTimeout(timer);
        this.#pending.delete(n);
        reject(NodeError.UNREACHABLE('connection closed before the prekey bundle arrived'));
      };
      conn.once('close', onClose);
      this.#pending.set(n, {
        resolve: (b) => {
          clearTimeout(timer);
          conn.off('close', onClose);
          resolve(b);
        },
        reject,
      });
      conn.send({ v: 1, t: 'bundle-req', n });
    });
  }

  /** Delivers an answer; false if nobody asked (the frame is then ignored). */
  answer(n: string, bundle: Record<string, unknown>): boolean {
    const p = this.#pending.get(n);
    if (!p) return false;
    this.#pending.delete(n);
    p.resolve(bundle);
    return true;
  }
}
