import type { Content } from '../../src/wire/content.js';
import type { PeerFrameOut } from '../../src/wire/peer-frames.js';
import type { ClientToRelayOut, RelayToClientOut } from '../../src/wire/relay-frames.js';

/** One frame of every type of every family, as a sender builds it (bytes as base64). */
const id32 = Buffer.alloc(32, 7).toString('base64');
const secret = Buffer.alloc(32, 9).toString('base64');
const bytes = Buffer.from('ciphertext bytes').toString('base64');
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
  clientToRelay: [
    { v: 1, t: 'register', id: 1, secret },
    { v: 1, t: 'send', id: 2, mailbox: id32, bytes },
    { v: 1, t: 'fetch', id: 3, mailbox: id32, after: 4 },
    { v: 1, t: 'ack', id: 4, mailbox: id32, items: [1, 2, 3] },
    { v: 1, t: 'blob-put', id: 5, secret, bytes },
    { v: 1, t: 'blob-get', id: 6, blob: id32 },
    { v: 1, t: 'circuit-open', id: 7, c: 1, host: '192.0.2.1', port: 4000, key: Buffer.alloc(32, 5).toString('base64') },
    { v: 1, t: 'circuit-data', c: 1, bytes },
    { v: 1, t: 'circuit-close', c: 1, reason: 'DONE' },
  ] satisfies ClientToRelayOut[],
  relayToClient: [
    { v: 1, t: 'registered', id: 1, mailbox: id32 },
    { v: 1, t: 'accepted', id: 2 },
    { v: 1, t: 'mail', mailbox: id32, item: 5, bytes, req: 3 },
    { v: 1, t: 'fetched', id: 3, more: false },
    { v: 1, t: 'acked', id: 4, count: 3 },
    { v: 1, t: 'blob-stored', id: 5, blob: id32 },
    { v: 1, t: 'blob', id: 6, bytes },
    { v: 1, t: 'circuit-opened', id: 7, c: 1 },
    { v: 1, t: 'error', id: 8, code: 'NOT_FOUND' },
    { v: 1, t: 'circuit-data', c: 1, bytes },
    { v: 1, t: 'circuit-close', c: 1, reason: 'DONE' },
  ] satisfies RelayToClientOut[],
  content: [
    { v: 1, t: 'text', id: msgId, n: 1, body: 'hello ☕ שלום', at: 1_700_000_000_000, via: 'both-relays' },
    { v: 1, t: 'receipt', ids: [msgId] },
    { v: 1, t: 'reach', endpoint: '192.0.2.7:4040', transportKey: id32 },
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
      cs: 22_528,
      n: 2,
      at: 1_700_000_000_000,
    },
    { v: 1, t: 'file-chunk', x: msgId, i: 0, d: Buffer.alloc(40, 3).toString('base64') },
    { v: 1, t: 'file-ack', x: msgId, have: 1, miss: true },
    { v: 1, t: 'file-cancel', x: msgId, why: 'no-space' },
  ] satisfies Content[],
};

type Vector<F> = { frame: F; wire: string };
export interface Vectors {
  peer: Vector<PeerFrameOut>[];
  clientToRelay: Vector<ClientToRelayOut>[];
  relayToClient: Vector<RelayToClientOut>[];
  content: Vector<Content>[];
  preamble: Array<{ family: 'peer' | 'relay'; min: number; max: number; hex: string }>;
  intro: { hex: string };
}
