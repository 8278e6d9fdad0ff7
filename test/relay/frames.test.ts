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
const bytes = Buffer.from('ciphertext');
const fromClient: ClientToRelayOut[] = [
  { v: 2, t: 'register', id: 1, secret: id32 },
  { v: 2, t: 'send', id: 2, mailbox: id32, bytes },
  { v: 2, t: 'fetch', id: 3, mailbox: id32 },
  { v: 2, t: 'fetch', id: 3, mailbox: id32, after: 9 },
  { v: 2, t: 'ack', id: 4, mailbox: id32, items: [1, 2] },
  { v: 2, t: 'blob-put', id: 5, secret: Buffer.alloc(32, 7), bytes },
  { v: 2, t: 'blob-get', id: 6, blob: id32 },
  { v: 2, t: 'circuit-open', id: 7, c: 1, host: '127.0.0.2', port: 4000, key: toB64(Buffer.alloc(32, 7)) },
  { v: 2, t: 'circuit-data', c: 1, bytes },
  { v: 2, t: 'circuit-close', c: 1, reason: 'END' },
];
const fromRelay: RelayToClientOut[] = [
  { v: 2, t: 'registered', id: 1, mailbox: id32 },
  { v: 2, t: 'accepted', id: 2 },
  { v: 2, t: 'mail', mailbox: id32, item: 1, bytes },
  { v: 2, t: 'mail', mailbox: id32, item: 1, bytes, req: 3 },
  { v: 2, t: 'fetched', id: 3, more: false },
  { v: 2, t: 'acked', id: 4, count: 2 },
  { v: 2, t: 'blob-stored', id: 5, blob: id32 },
  { v: 2, t: 'blob', id: 6, bytes },
  { v: 2, t: 'circuit-opened', id: 7, c: 1 },
  { v: 2, t: 'error', id: 8, code: 'MAILBOX_FULL' },
  { v: 2, t: 'error', code: 'FLOOD' },
  { v: 2, t: 'circuit-data', c: 1, bytes },
  { v: 2, t: 'circuit-close', c: 1, reason: 'UPSTREAM_CLOSED' },
];
/** Decoded frames hold Buffers where a JSON control frame holds base64; turn them back to compare. */
const asWire = (f: object) => JSON.parse(JSON.stringify(f, (_k, v) => (v?.type === 'Buffer' ? toB64(Buffer.from(v.data)) : v)));

/** A binary frame as the wire holds it: version, type code, then the fields (wire/binary-frames.ts). */
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const binary = (code: number, ...fields: Buffer[]) => Buffer.concat([Buffer.from([2, code]), ...fields]);
const mailboxBytes = Buffer.alloc(32, 7);

describe('relay frames', () => {
  it.each(fromClient.map((f) => [f.t, f]))('client -> relay %s round-trips', (_t, frame) => {
    expect(asWire(relayServerCodec.decode(relayClientCodec.encode(frame)))).toEqual(asWire(frame));
  });

  it.each(fromRelay.map((f) => [f.t, f]))('relay -> client %s round-trips', (_t, frame) => {
    expect(asWire(relayClientCodec.decode(relayServerCodec.encode(frame)))).toEqual(asWire(frame));
  });

  it('the frames that carry bytes are binary: no base64, no JSON', () => {
    const wire = relayClientCodec.encode({ v: 2, t: 'send', id: 2, mailbox: id32, bytes });
    expect(wire).toEqual(binary(1, u32(2), mailboxBytes, u32(bytes.length), bytes));
    expect(relayServerCodec.encode({ v: 2, t: 'accepted', id: 2 }).toString()).toBe('{"v":2,"t":"accepted","id":2}');
  });

  it('a relay refuses what a client must not send, and the reverse, each with a reason', () => {
    const send = (id: Buffer, box: Buffer, n: Buffer, body: Buffer) => binary(1, id, box, n, body);
    const bad: Array<[Buffer, RegExp]> = [
      [send(u32(2), mailboxBytes.subarray(0, 31), u32(1), Buffer.alloc(1)), /truncated|trailing/],
      [send(u32(2), mailboxBytes, u32(MAX_MAIL_BYTES + 1), Buffer.alloc(MAX_MAIL_BYTES + 1)), /bytes: expected 1\.\.\d+ bytes/],
      [send(u32(2), mailboxBytes, u32(0), Buffer.alloc(0)), /bytes: expected/],
      [send(u32(2), mailboxBytes, u32(5), Buffer.alloc(4)), /bytes: truncated/],
      [send(u32(2), mailboxBytes, u32(4), Buffer.alloc(5)), /trailing bytes/],
      [send(u32(0), mailboxBytes, u32(1), Buffer.alloc(1)), /id: out of range/],
      [binary(2, u32(5), Buffer.alloc(32), u32(MAX_BLOB_BYTES + 1), Buffer.alloc(MAX_BLOB_BYTES + 1)), /bytes: expected/],
      [binary(3, u32(2 ** 31 + 1), u32(1), Buffer.alloc(1)), /c: out of range/],
      [binary(4, mailboxBytes, u32(0), u32(1), u32(0), u32(1), Buffer.alloc(1)), /unknown frame type/], // mail goes the other way
      [binary(99), /unknown frame type/],
      [Buffer.from([2]), /truncated/],
      [Buffer.from(JSON.stringify({ v: 2, t: 'register', id: 1, secret: toB64(Buffer.alloc(31)) })), /malformed/],
      [
        Buffer.from(JSON.stringify({ v: 2, t: 'circuit-open', id: 7, c: 1, host: 'relay.example.org', port: 4000, key: toB64(Buffer.alloc(32, 7)) })),
        /malformed/,
      ],
      [Buffer.from(JSON.stringify({ v: 2, t: 'send', id: 2, mailbox: id32, bytes: toB64(bytes) })), /malformed/], // not a JSON frame any more
      [Buffer.from(JSON.stringify({ v: 2, t: 'fetch', id: 3, mailbox: id32, extra: 1 })), /malformed/],
      [Buffer.from('garbage'), /malformed frame: not a frame/],
    ];
    for (const [wire, why] of bad) {
      expect(() => relayServerCodec.decode(wire)).toThrow(WireError);
      expect(() => relayServerCodec.decode(wire)).toThrow(why);
    }
    expect(() => relayClientCodec.decode(Buffer.from(JSON.stringify(fromClient[0])))).toThrow(/malformed/);
    expect(() => relayClientCodec.decode(relayClientCodec.encode(fromClient[1]!))).toThrow(/unknown frame type/);
  });

  it('a frame of a version this release does not speak is refused as UNSUPPORTED_VERSION, not as malformed', () => {
    const frames = [
      ...[0, 1, 3, 99, '2', null].map((v) => Buffer.from(JSON.stringify({ v, t: 'fetch', id: 2, mailbox: id32 }))),
      Buffer.concat([Buffer.from([1]), relayClientCodec.encode(fromClient[1]!).subarray(1)]), // a binary frame of version 1
    ];
    for (const wire of frames) {
      const err = (() => {
        try {
          relayServerCodec.decode(wire);
        } catch (e) {
          return e;
        }
      })();
      expect(WireError.is(err) && err.code).toBe('UNSUPPORTED_VERSION');
    }
  });

  it('the largest mail item fits in one frame', () => {
    const frame = { v: 2, t: 'mail', mailbox: id32, item: Number.MAX_SAFE_INTEGER, bytes: Buffer.alloc(MAX_MAIL_BYTES), req: 2 ** 32 - 1 } as const;
    expect(relayClientCodec.decode(relayServerCodec.encode(frame))).toMatchObject({ t: 'mail', item: Number.MAX_SAFE_INTEGER, req: 2 ** 32 - 1 });
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
