import { describe, expect, it } from 'vitest';
import { toB64 } from '../../src/wire/bytes.js';
import {
  MAX_BLOB_BYTES,
  MAX_MAIL_BYTES,
  relayClientCodec,
  relayServerCodec,
  type ClientToRelayOut,
  type RelayToClientOut,
} from '../../src/wire/relay-frames.js';
import { RelayDescriptor } from '../../src/relay/index.js';
import { WireError } from '../../src/wire/errors.js';

const id32 = toB64(Buffer.alloc(32, 7));
const bytes = toB64(Buffer.from('ciphertext'));
const fromClient: ClientToRelayOut[] = [
  { v: 1, t: 'register', id: 1, secret: id32 },
  { v: 1, t: 'send', id: 2, mailbox: id32, bytes },
  { v: 1, t: 'fetch', id: 3, mailbox: id32 },
  { v: 1, t: 'fetch', id: 3, mailbox: id32, after: 9 },
  { v: 1, t: 'ack', id: 4, mailbox: id32, items: [1, 2] },
  { v: 1, t: 'blob-put', id: 5, secret: id32, bytes },
  { v: 1, t: 'blob-get', id: 6, blob: id32 },
  { v: 1, t: 'circuit-open', id: 7, c: 1, host: '127.0.0.2', port: 4000, key: toB64(Buffer.alloc(32, 7)) },
  { v: 1, t: 'circuit-data', c: 1, bytes },
  { v: 1, t: 'circuit-close', c: 1, reason: 'END' },
];
const fromRelay: RelayToClientOut[] = [
  { v: 1, t: 'registered', id: 1, mailbox: id32 },
  { v: 1, t: 'accepted', id: 2 },
  { v: 1, t: 'mail', mailbox: id32, item: 1, bytes },
  { v: 1, t: 'mail', mailbox: id32, item: 1, bytes, req: 3 },
  { v: 1, t: 'fetched', id: 3, more: false },
  { v: 1, t: 'acked', id: 4, count: 2 },
  { v: 1, t: 'blob-stored', id: 5, blob: id32 },
  { v: 1, t: 'blob', id: 6, bytes },
  { v: 1, t: 'circuit-opened', id: 7, c: 1 },
  { v: 1, t: 'error', id: 8, code: 'MAILBOX_FULL' },
  { v: 1, t: 'error', code: 'FLOOD' },
  { v: 1, t: 'circuit-data', c: 1, bytes },
  { v: 1, t: 'circuit-close', c: 1, reason: 'UPSTREAM_CLOSED' },
];
/** Decoded frames hold Buffers where the wire holds base64; turn them back to compare. */
const asWire = (f: object) => JSON.parse(JSON.stringify(f, (_k, v) => (v?.type === 'Buffer' ? toB64(Buffer.from(v.data)) : v)));

describe('relay frames', () => {
  it.each(fromClient.map((f) => [f.t, f]))('client -> relay %s round-trips', (_t, frame) => {
    expect(asWire(relayServerCodec.decode(relayClientCodec.encode(frame)))).toEqual(frame);
  });

  it.each(fromRelay.map((f) => [f.t, f]))('relay -> client %s round-trips', (_t, frame) => {
    expect(asWire(relayClientCodec.decode(relayServerCodec.encode(frame)))).toEqual(frame);
  });

  it('a relay refuses what a client must not send, and the reverse', () => {
    const bad: unknown[] = [
      { v: 1, t: 'send', id: 2, mailbox: 'short', bytes },
      { v: 1, t: 'send', id: 2, mailbox: id32, bytes: toB64(Buffer.alloc(MAX_MAIL_BYTES + 1)) },
      { v: 1, t: 'blob-put', id: 5, secret: id32, bytes: toB64(Buffer.alloc(MAX_BLOB_BYTES + 1)) },
      { v: 1, t: 'register', id: 1, secret: toB64(Buffer.alloc(31)) },
      { v: 1, t: 'circuit-open', id: 7, c: 1, host: 'relay.example.org', port: 4000, key: toB64(Buffer.alloc(32, 7)) },
      { v: 1, t: 'send', id: 2, mailbox: id32, bytes, extra: 1 },
      { v: 1, t: 'mail', mailbox: id32, item: 1, bytes },
    ];
    for (const frame of bad) expect(() => relayServerCodec.decode(Buffer.from(JSON.stringify(frame)))).toThrow(/malformed/);
    expect(() => relayClientCodec.decode(Buffer.from(JSON.stringify(fromClient[0])))).toThrow(/malformed/);
  });

  it('a frame of a version this release does not speak is refused as UNSUPPORTED_VERSION, not as malformed', () => {
    for (const v of [0, 2, 99, '1', null]) {
      const err = (() => {
        try {
          relayServerCodec.decode(Buffer.from(JSON.stringify({ v, t: 'send', id: 2, mailbox: id32, bytes })));
        } catch (e) {
          return e;
        }
      })();
      expect(WireError.is(err) && err.code).toBe('UNSUPPORTED_VERSION');
    }
  });

  it('the largest mail item fits in one frame', () => {
    const frame = { v: 1, t: 'mail', mailbox: id32, item: Number.MAX_SAFE_INTEGER, bytes: toB64(Buffer.alloc(MAX_MAIL_BYTES)), req: 2 ** 32 } as const;
    expect(relayClientCodec.decode(relayServerCodec.encode(frame))).toMatchObject({ t: 'mail' });
  });

  it('a descriptor parses and stays within a DHT value', () => {
    const d = {
      v: 1,
      host: '127.0.0.5',
      port: 7000,
      publicKey: id32,
      limits: { mailItemBytes: 1, mailboxItems: 1, mailboxBytes: 1, blobBytes: 1, itemTtlS: 1, blobTtlS: 1 },
    };
    expect(RelayDescriptor.parse(d)).toEqual(d);
    expect(() => RelayDescriptor.parse({ ...d, host: 'example.org' })).toThrow();
    expect(JSON.stringify(d).length).toBeLessThan(1000);
  });
});
