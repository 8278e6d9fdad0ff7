import fc from 'fast-check';
import { toB64 } from '../../src/wire/bytes.js';
import type { PeerFrameOut } from '../../src/wire/peer-frames.js';
import { SENDER_PATHS } from '../../src/wire/content.js';
import { MAX_ACK_ITEMS, MAX_BLOB_BYTES, MAX_CIRCUIT_CHUNK, MAX_MAIL_BYTES, type ClientToRelayOut, type RelayToClientOut } from '../../src/wire/relay-frames.js';

/* fast-check arbitraries for every frame schema, shared by the codec properties and the frame storms. */

const Z32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';
export const parleyId = fc.string({ unit: fc.constantFrom(...Z32), minLength: 52, maxLength: 52 });
export const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
export const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
export const id32 = key32.map(toB64);
export const reqId = fc.integer({ min: 1, max: 2 ** 32 - 1 });
export const circuit = fc.integer({ min: 1, max: 2 ** 31 });
export const item = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
export const code = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,47}$/);
export const ip = fc.oneof(fc.ipV4(), fc.ipV6());
export const port = fc.integer({ min: 1, max: 65535 });
const v = fc.constant(1 as const);
/** Relay frames speak version 2 (binary bytes-carrying frames). */
const rv = fc.constant(2 as const);
/** JSON objects (the bundle frame carries one), with keys that survive a JSON round trip. */
export const jsonObject = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 6 },
);

/**
 * Byte fields: length 1..max, mostly small, sometimes exactly at the cap (`atCap` false keeps
 * storms light: a cap-sized field is up to 46 KB).
 */
export function bytesOf(max: number, atCap = true): fc.Arbitrary<Buffer> {
  const small = fc.uint8Array({ minLength: 1, maxLength: Math.min(max, 512) });
  const arb = atCap ? fc.oneof({ weight: 8, arbitrary: small }, { weight: 1, arbitrary: fc.constant(max).map((n) => new Uint8Array(n).fill(0xa5)) }) : small;
  return arb.map((b) => Buffer.from(b));
}

export function peerFrame(atCap = true): fc.Arbitrary<PeerFrameOut> {
  return fc.oneof(
    fc.record({ v, t: fc.constant('bundle-req' as const), n: fc.string({ minLength: 1, maxLength: 64 }) }),
    fc.record({ v, t: fc.constant('bundle' as const), n: fc.string({ minLength: 1, maxLength: 64 }), bundle: jsonObject }),
    envelope(atCap),
    fc.record({ v, t: fc.constant('bye' as const), reason: fc.string({ maxLength: 64 }) }),
  );
}

/** `env` frames: schema-valid, from random IDs, with random Signal bodies. */
export function envelope(atCap = true): fc.Arbitrary<PeerFrameOut> {
  return fc.record(
    {
      v,
      t: fc.constant('env' as const),
      from: parleyId,
      kind: fc.constantFrom('prekey' as const, 'whisper' as const),
      body: bytesOf(40 * 1024, atCap).map(toB64),
      bind: fc.uint8Array({ minLength: 64, maxLength: 64 }).map(toB64),
    },
    { requiredKeys: ['v', 't', 'from', 'kind', 'body'] },
  );
}

export const content = fc.oneof(
  fc.record(
    {
      v,
      t: fc.constant('text' as const),
      id: hex32,
      n: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      body: fc.string({ maxLength: 4000, unit: 'binary' }),
      at: fc.integer({ min: 0, max: 2 ** 50 }),
      via: fc.constantFrom(...SENDER_PATHS),
    },
    { requiredKeys: ['v', 't', 'id', 'n', 'body', 'at'] },
  ),
  fc.record({ v, t: fc.constant('receipt' as const), ids: fc.array(hex32, { minLength: 1, maxLength: 512 }) }),
  fc.record(
    { v, t: fc.constant('reach' as const), endpoint: fc.tuple(fc.ipV4(), port).map(([h, p]) => `${h}:${p}`), transportKey: id32 },
    { requiredKeys: ['v', 't'] },
  ),
);

export function circuitData(atCap = true) {
  return fc.record({ v: rv, t: fc.constant('circuit-data' as const), c: circuit, bytes: bytesOf(MAX_CIRCUIT_CHUNK, atCap) });
}
export const circuitClose = fc.record({ v: rv, t: fc.constant('circuit-close' as const), c: circuit, reason: code });

/** Client -> relay frames; `circuitHosts` narrows where circuit-open frames point. */
export function clientFrame(atCap = true, circuitHosts: fc.Arbitrary<string> = ip): fc.Arbitrary<ClientToRelayOut> {
  return fc.oneof(
    fc.record({ v: rv, t: fc.constant('register' as const), id: reqId, secret: id32 }),
    fc.record({ v: rv, t: fc.constant('send' as const), id: reqId, mailbox: id32, bytes: bytesOf(MAX_MAIL_BYTES, atCap) }),
    fc.record({ v: rv, t: fc.constant('fetch' as const), id: reqId, mailbox: id32, after: item }, { requiredKeys: ['v', 't', 'id', 'mailbox'] }),
    fc.record({ v: rv, t: fc.constant('ack' as const), id: reqId, mailbox: id32, items: fc.array(item, { minLength: 1, maxLength: MAX_ACK_ITEMS }) }),
    fc.record({ v: rv, t: fc.constant('blob-put' as const), id: reqId, secret: key32, bytes: bytesOf(MAX_BLOB_BYTES, atCap) }),
    fc.record({ v: rv, t: fc.constant('blob-get' as const), id: reqId, blob: id32 }),
    fc.record({ v: rv, t: fc.constant('circuit-open' as const), id: reqId, c: circuit, host: circuitHosts, port, key: id32 }),
    circuitData(atCap),
    circuitClose,
  );
}

export function relayFrame(atCap = true): fc.Arbitrary<RelayToClientOut> {
  return fc.oneof(
    fc.record({ v: rv, t: fc.constant('registered' as const), id: reqId, mailbox: id32 }),
    fc.record({ v: rv, t: fc.constant('accepted' as const), id: reqId }),
    fc.record(
      { v: rv, t: fc.constant('mail' as const), mailbox: id32, item, bytes: bytesOf(MAX_MAIL_BYTES, atCap), req: reqId },
      { requiredKeys: ['v', 't', 'mailbox', 'item', 'bytes'] },
    ),
    fc.record({ v: rv, t: fc.constant('fetched' as const), id: reqId, more: fc.boolean() }),
    fc.record({ v: rv, t: fc.constant('acked' as const), id: reqId, count: fc.integer({ min: 0, max: MAX_ACK_ITEMS }) }),
    fc.record({ v: rv, t: fc.constant('blob-stored' as const), id: reqId, blob: id32 }),
    fc.record({ v: rv, t: fc.constant('blob' as const), id: reqId, bytes: bytesOf(MAX_BLOB_BYTES, atCap) }),
    fc.record({ v: rv, t: fc.constant('circuit-opened' as const), id: reqId, c: circuit }),
    fc.record({ v: rv, t: fc.constant('error' as const), id: reqId, code }, { requiredKeys: ['v', 't', 'code'] }),
    circuitData(atCap),
    circuitClose,
  );
}

/** Garbage derived from valid encodings: byte edits, cuts, splices, retyped fields, plus arbitrary JSON and bytes. */
export function garbage(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  const edited = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })).map(([b, edits]) => {
    const out = Buffer.from(b);
    for (const [at, to] of edits) if (out.length > 0) out[at % out.length] = to;
    return out;
  });
  const cut = fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1)));
  const spliced = fc.tuple(valid, fc.nat(), fc.uint8Array({ maxLength: 16 })).map(([b, at, ins]) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(ins), b.subarray(i)]);
  });
  /**
   * Valid JSON with one field replaced by a value of another type (the shape a confused peer sends);
   * in a binary frame or batch, a 4-byte field (an id, a length) replaced by another number.
   */
  const retyped = fc.tuple(valid, fc.nat(), fc.jsonValue({ maxDepth: 1 }), fc.nat({ max: 2 ** 32 - 1 })).map(([b, k, val, n]) => {
    if (b[0] !== 0x7b) {
      const out = Buffer.from(b);
      if (out.length >= 4) out.writeUInt32BE(n, k % (out.length - 3));
      return out;
    }
    const obj = JSON.parse(b.toString()) as Record<string, unknown>;
    const keys = Object.keys(obj);
    obj[keys[k % keys.length]!] = val;
    return Buffer.from(JSON.stringify(obj));
  });
  const json = fc.json().map((j) => Buffer.from(j));
  const raw = fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b));
  return fc.oneof(edited, cut, spliced, retyped, json, raw);
}
