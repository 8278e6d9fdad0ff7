import type { VerifyFn } from 'bittorrent-dht';
import { verifyEd25519 } from '../identity/index.js';
import type { RejectReason } from './errors.js';
import { parseSignable, type MutableRecord } from './bep44.js';

/** Ed25519 detached verification: signature, message, public key. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export const defaultVerify: Ed25519Verify = verifyEd25519;

/**
 * bittorrent-dht passes fields of remote messages straight to `verify` (a `put` carrying `k` but no
 * `sig` arrives as `verify(undefined, ...)`), so the function it gets must accept anything.
 */
export function guardedVerify(verify: Ed25519Verify): VerifyFn {
  return (sig, msg, pk) => {
    if (!(sig instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(pk instanceof Uint8Array)) return false;
    try {
      return verify(sig, msg, pk) === true;
    } catch {
      return false;
    }
  };
}

export interface Screen {
  /** The `verify` to give bittorrent-dht for this one lookup. */
  verify: VerifyFn;
  /** One entry per response that held a value but was thrown away. */
  rejected: RejectReason[];
  /** The highest-seq record that passed, so far. */
  best: MutableRecord | null;
}

/**
 * The `verify` for one lookup of (`publicKey`, `salt`): every response carrying a signed value
 * passes through it, so it records why each rejected one was rejected (the library would drop them
 * silently) and keeps the best valid record itself, so a lookup can settle before stragglers answer.
 */
export function screen(publicKey: Buffer, salt: Buffer, verify: Ed25519Verify, events: { onReject: (r: RejectReason) => void; onValid: () => void }): Screen {
  const check = guardedVerify(verify);
  const s: Screen = { rejected: [], best: null, verify: () => false };
  const reject = (reason: RejectReason) => {
    s.rejected.push(reason);
    events.onReject(reason);
    return false;
  };
  s.verify = (sig, msg, pk) => {
    if (!(pk instanceof Uint8Array) || !publicKey.equals(pk)) return reject('wrong key');
    if (!check(sig, msg, pk)) return reject('bad signature');
    const item = parseSignable(salt, msg as Uint8Array);
    if (!item) return reject('malformed');
    if (!s.best || item.seq > s.best.seq) s.best = { publicKey, salt, seq: item.seq, value: item.value, signature: Buffer.from(sig as Uint8Array) };
    events.onValid();
    return true;
  };
  return s;
}
