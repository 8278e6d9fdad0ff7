import type { Content } from '../../src/wire/content.js';
import type { PeerFrameOut } from '../../src/wire/peer-frames.js';
import type { ClientToRelayOut, RelayToClientOut } from '../../src/wire/relay-frames.js';

/** One frame of every type of every family, as a sender builds it (bytes as base64 in JSON frames, Buffers in binary ones). */
const id32 = Buffer.alloc(32, 7).toString('base64');
const secret = Buffer.alloc(32, 9).toString('base64');
const raw = Buffer.from('ciphertext bytes');
const bytes = raw.toString('base64');
const parleyId = 'ybndrfg8ejkmcpqxot1uwisza345h769ybndrfg8ejkmcpqxot1u';
const msgId = '0123456789abcdef0123456789abcdef';

export const VECTOR_FRAMES = {
  peer: [
    { v: 1, t: 'bundle-req', n: 'nonce-1' },
    { v: 1, t: 'bundle', n: 'nonce-1', bundle: { registrationId: 7, deviceId: 1 } },
    { v: 1, t: 'env', from: parleyId, kind: 'prekey', body: bytes, bind: Buffer.alloc(64, 1).toString('base64') },
    { v: 1, t: 'env', from: parleyId, kind: 'whisper', body: bytes },
    { v: 1, t: 'bye', reason: 'SHUTDOWN' },
  ] satisfies PeerFrameOut[],
  /** The peer family's binary frames (a file's chunks, outside Signal). */
  peerBinary: [
    { v: 2, t: 'file-chunk', x: msgId, i: 0, d: Buffer.alloc(40, 3) },
    { v: 2, t: 'file-chunk', x: msgId, i: 2 ** 32 - 1, d: Buffer.alloc(17, 4) },
  ] satisfies PeerFrameOut[],
  clientToRelay: [
    { v: 2, t: 'register', id: 1, secret },
    { v: 2, t: 'send', id: 2, mailbox: id32, bytes: raw },
    { v: 2, t: 'fetch', id: 3, mailbox: id32, after: 4 },
    { v: 2, t: 'ack', id: 4, mailbox: id32, items: [1, 2, 3] },
    { v: 2, t: 'blob-put', id: 5, secret: Buffer.alloc(32, 9), bytes: raw },
    { v: 2, t: 'blob-get', id: 6, blob: id32 },
    { v: 2, t: 'circuit-open', id: 7, c: 1, host: '192.0.2.1', port: 4000, key: Buffer.alloc(32, 5).toString('base64') },
    { v: 2, t: 'circuit-data', c: 1, bytes: raw },
    { v: 2, t: 'circuit-close', c: 1, reason: 'DONE' },
    { v: 2, t: 'dht-get', id: 9, key: id32, salt: Buffer.from('parley/intro/1').toString('base64') },
    { v: 2, t: 'dht-put', id: 10, key: id32, salt: '', seq: 1_700_000_000, value: bytes, sig: Buffer.alloc(64, 3).toString('base64') },
  ] satisfies ClientToRelayOut[],
  relayToClient: [
    { v: 2, t: 'registered', id: 1, mailbox: id32 },
    { v: 2, t: 'accepted', id: 2 },
    { v: 2, t: 'mail', mailbox: id32, item: 2 ** 40 + 5, bytes: raw, req: 3 },
    { v: 2, t: 'fetched', id: 3, more: false },
    { v: 2, t: 'acked', id: 4, count: 3 },
    { v: 2, t: 'blob-stored', id: 5, blob: id32 },
    { v: 2, t: 'blob', id: 6, bytes: raw },
    { v: 2, t: 'circuit-opened', id: 7, c: 1 },
    { v: 2, t: 'error', id: 8, code: 'NOT_FOUND' },
    { v: 2, t: 'circuit-data', c: 1, bytes: raw },
    { v: 2, t: 'circuit-close', c: 1, reason: 'DONE' },
    { v: 2, t: 'dht-found', id: 9, rejected: 0, seq: 1_700_000_000, value: bytes, sig: Buffer.alloc(64, 3).toString('base64') },
    { v: 2, t: 'dht-found', id: 11, rejected: 2 },
    { v: 2, t: 'dht-stored', id: 10, nodes: 8 },
  ] satisfies RelayToClientOut[],
  content: [
    { v: 1, t: 'text', id: msgId, n: 1, body: 'hello ☕ שלום', at: 1_700_000_000_000, via: 'both-relays' },
    { v: 1, t: 'receipt', ids: [msgId] },
    { v: 1, t: 'reach', endpoint: '192.0.2.7:4040', transportKey: id32 },
    { v: 1, t: 'rendezvous', mine: secret, have: false },
    {
      v: 1,
      t: 'candidates',
      punchId: msgId,
      role: 'offer',
      addresses: [
        { host: '192.168.1.20', port: 40000 },
        { host: '198.51.100.7', port: 51234 },
      ],
      kind: 'stable',
      streamId: 7,
      transportKey: id32,
      at: 1_700_000_000_000,
    },
    { v: 1, t: 'text', id: msgId, n: 3, prev: 1, body: 'yes', at: 1_700_000_000_000, reply: { id: msgId, quote: 'hello ☕' }, ttl: 3600, name: 'Alice' },
    { v: 1, t: 'timer', id: msgId, n: 2, at: 1_700_000_000_000, seconds: 300 },
    { v: 1, t: 'delete', id: msgId, n: 1 },
    { v: 1, t: 'receipt', ids: [msgId], of: 'delete' },
    {
      v: 1,
      t: 'file',
      x: msgId,
      name: 'minutes.pdf',
      size: 30_000,
      mime: 'application/pdf',
      hash: 'ab'.repeat(32),
      key: id32,
      header: Buffer.alloc(24, 9).toString('base64'),
      cs: 46_080,
      n: 2,
      at: 1_700_000_000_000,
    },
    { v: 1, t: 'file-ack', x: msgId, have: 1, miss: true },
    { v: 1, t: 'file-cancel', x: msgId, why: 'no-space' },
    {
      v: 1,
      t: 'file',
      x: msgId,
      name: 'beach.jpg',
      size: 90_000,
      mime: 'image/jpeg',
      hash: 'cd'.repeat(32),
      key: id32,
      header: Buffer.alloc(24, 5).toString('base64'),
      cs: 22_528,
      n: 4,
      at: 1_700_000_000_000,
      thumb: Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1').toString('base64'),
      ttl: 3600,
    },
    { v: 1, t: 'file-delete', x: msgId },
  ] satisfies Content[],
};

type Vector<F> = { frame: F; wire: string };
/** Relay frames are binary or JSON: the wire as hex, the frame with its Buffers as {"$bytes": base64}. */
export type HexVector = { frame: unknown; hex: string };
export interface Vectors {
  peer: Vector<PeerFrameOut>[];
  peerBinary: HexVector[];
  clientToRelay: HexVector[];
  relayToClient: HexVector[];
  content: Vector<Content>[];
  preamble: Array<{ family: 'peer' | 'relay'; min: number; max: number; hex: string }>;
  intro: { hex: string };
  /** A rendezvous record: the slot derived from a pair secret, direction and day, and its sealed value. */
  rendezvous: { secret: string; from: string; to: string; day: number; nonce: string; publicKey: string; salt: string; value: string };
}

/** A frame as JSON can hold it: each Buffer as {"$bytes": base64}. */
export function jsonSafe(frame: object): unknown {
  return Object.fromEntries(Object.entries(frame).map(([k, v]) => [k, v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v]));
}

/** The frame jsonSafe() wrote, with its Buffers back. */
export function revive(frame: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(frame as object).map(([k, v]) => [
      k,
      v && typeof v === 'object' && '$bytes' in v ? Buffer.from((v as { $bytes: string }).$bytes, 'base64') : v,
    ]),
  );
}
