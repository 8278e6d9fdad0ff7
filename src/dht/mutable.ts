import type DHT from 'bittorrent-dht';
import { DhtError, type RejectReason } from './errors.js';
import { encodedLength, isValidSeq, MAX_SALT_BYTES, MAX_VALUE_BYTES, targetOf, toSalt, type MutableRecord, type MutableSigner } from './bep44.js';
import { screen, type Ed25519Verify } from './verify.js';

/** BEP44 mutable put and get on one bittorrent-dht instance, as promises with Parley's errors. */

export interface PutMutableInput {
  keyPair: MutableSigner;
  salt: Uint8Array | string;
  value: Buffer;
  seq: number;
}

export interface MutableLookup {
  /** The highest-seq response whose signature verified for the key asked for; null when none did. */
  record: MutableRecord | null;
  /** One entry per response that held a value but failed verification. */
  rejected: RejectReason[];
  /** Milliseconds from the start of the lookup to the first record that verified; null when none did. */
  firstMatchMs: number | null;
}

/** KRPC error codes a storing node answers a put with (BEP44). */
const SEQ_TOO_LOW = 302;
const CAS_MISMATCH = 301;

export function checkPut(input: PutMutableInput): Buffer {
  const salt = toSalt(input.salt);
  if (salt.length > MAX_SALT_BYTES) throw DhtError.BAD_SCHEMA('record key', `salt longer than ${MAX_SALT_BYTES} bytes`);
  if (!isValidSeq(input.seq)) throw DhtError.BAD_SCHEMA('record', 'sequence number must be a non-negative integer');
  const size = encodedLength(input.value);
  if (size > MAX_VALUE_BYTES) throw DhtError.TOO_LARGE(size, MAX_VALUE_BYTES);
  return salt;
}

/** Resolves to the number of nodes that stored the item. */
export function putMutable(dht: DHT, input: PutMutableInput, done: (err: DhtError | null, stored: number) => void): void {
  const salt = checkPut(input);
  // bittorrent-dht reuses the nodes (and write tokens) of a lookup of the same target for 5 minutes,
  // even when that lookup found none; a publish always looks afresh, so it reaches the current closest nodes.
  dht._tables.remove(targetOf(input.keyPair.publicKey, salt).toString('hex'));
  const opts = { k: input.keyPair.publicKey, v: input.value, seq: input.seq, salt, sign: (m: Uint8Array) => input.keyPair.sign(m) };
  dht.put(opts, (err, _hash, n) => {
    if (!err && n > 0) return done(null, n);
    if (dht.nodes.count() === 0) return done(DhtError.NO_BOOTSTRAP(), 0);
    if (err?.code === SEQ_TOO_LOW) return done(DhtError.STALE_SEQ(), 0);
    if (err?.code === CAS_MISMATCH) return done(DhtError.PUT_FAILED('the stored record changed meanwhile'), 0);
    // No `cause`: a KRPC error's text comes from a remote node.
    done(DhtError.PUT_FAILED('no node accepted it'), 0);
  });
}

export interface GetOptions {
  verify: Ed25519Verify;
  /** How long to keep listening for a higher seq once one valid record has arrived. */
  settleMs: number;
  onReject: (reason: RejectReason) => void;
}

/**
 * Always a network lookup (`cache: false`): a node's own store never answers for the network.
 * bittorrent-dht reports only when every queried node has answered or timed out, so one departed
 * node costs a whole query timeout; once a valid record is in hand the lookup settles `settleMs`
 * later with the highest seq seen by then (a NOT_FOUND still waits for every answer).
 */
export function getMutable(
  dht: DHT,
  publicKey: Buffer,
  saltInput: Uint8Array | string,
  opts: GetOptions,
  done: (err: DhtError | null, result: MutableLookup) => void,
): void {
  const salt = toSalt(saltInput);
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const started = performance.now();
  let firstMatchMs: number | null = null;
  const settle = (err: DhtError | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(err, { record: s.best, rejected: [...s.rejected], firstMatchMs });
  };
  const s = screen(publicKey, salt, opts.verify, {
    onReject: opts.onReject,
    onValid: () => {
      firstMatchMs ??= performance.now() - started;
      timer ??= setTimeout(() => settle(null), opts.settleMs).unref();
    },
  });
  dht.get(targetOf(publicKey, salt), { salt, cache: false, verify: s.verify }, (err) => {
    if (err) return settle(DhtError.LOOKUP_FAILED(err));
    if (!s.best && dht.nodes.count() === 0) return settle(DhtError.NO_BOOTSTRAP());
    settle(null);
  });
}
