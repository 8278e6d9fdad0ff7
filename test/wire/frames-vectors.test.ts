import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeIntroValue, encodeIntroValue } from '../../src/dht/intro-codec.js';
import { openRendezvous, rendezvousSlot, sealRendezvous } from '../../src/dht/rendezvous-record.js';
import { signable } from '../../src/dht/bep44.js';
import { SecretKey, type ParleyId } from '../../src/identity/index.js';
import { Content, contentCodec } from '../../src/wire/content.js';
import type { FrameCodec } from '../../src/wire/json-codec.js';
import { PEER_BINARY_TYPES, PeerFrame, peerCodec } from '../../src/wire/peer-frames.js';
import { CLIENT_TO_RELAY_TYPES, RELAY_TO_CLIENT_TYPES, relayClientCodec, relayServerCodec } from '../../src/wire/relay-frames.js';
import { decodePreamble, encodePreamble } from '../../src/wire/versions.js';
import { revive, type HexVector, type Vectors } from './vector-frames.js';

/*
 * Golden encodings (frames.vectors.json, written by make-vectors.ts): an accidental change to how any
 * frame, content, preamble or intro record is written or read fails here. A meant change regenerates
 * the file and bumps the family's version.
 */
const vectors = JSON.parse(readFileSync(new URL('./frames.vectors.json', import.meta.url), 'utf8')) as Vectors;

type Union = { options: ReadonlyArray<{ shape: { t: { value: string } } }> };
const typesOf = (u: unknown) => [...new Set((u as Union).options.map((o) => o.shape.t.value))].sort();

const families: Array<[string, keyof Vectors, FrameCodec<never, unknown>, FrameCodec<never, unknown>, unknown]> = [
  ['peer frames', 'peer', peerCodec as FrameCodec<never, unknown>, peerCodec as FrameCodec<never, unknown>, PeerFrame],
  ['contents', 'content', contentCodec as FrameCodec<never, unknown>, contentCodec as FrameCodec<never, unknown>, Content],
];
const hexFamilies: Array<[string, 'peerBinary' | 'clientToRelay' | 'relayToClient', FrameCodec<never, unknown>, FrameCodec<never, unknown>, string[]]> = [
  ['peer binary frames', 'peerBinary', peerCodec as FrameCodec<never, unknown>, peerCodec as FrameCodec<never, unknown>, PEER_BINARY_TYPES],
  [
    'client -> relay frames',
    'clientToRelay',
    relayClientCodec as FrameCodec<never, unknown>,
    relayServerCodec as FrameCodec<never, unknown>,
    CLIENT_TO_RELAY_TYPES,
  ],
  [
    'relay -> client frames',
    'relayToClient',
    relayServerCodec as FrameCodec<never, unknown>,
    relayClientCodec as FrameCodec<never, unknown>,
    RELAY_TO_CLIENT_TYPES,
  ],
];

describe('golden wire vectors', () => {
  describe.each(families)('%s', (_name, key, writer, reader, union) => {
    const list = vectors[key] as Array<{ frame: never; wire: string }>;
    it('has a vector for every frame type', () => {
      expect([...new Set(list.map((v) => (v.frame as { t: string }).t))].sort()).toEqual(typesOf(union));
    });
    it.each(list.map((v) => [(v.frame as { t: string }).t, v] as const))('%s is written and read as recorded', (_t, v) => {
      expect(writer.encode(v.frame).toString('utf8')).toBe(v.wire);
      expect(() => reader.decode(Buffer.from(v.wire, 'utf8'))).not.toThrow();
      expect(JSON.parse(v.wire)).toEqual(v.frame);
    });
  });

  describe.each(hexFamilies)('%s', (_name, key, writer, reader, types) => {
    const list = vectors[key] as HexVector[];
    it('has a vector for every frame type', () => {
      expect([...new Set(list.map((v) => (v.frame as { t: string }).t))].sort()).toEqual([...types].sort());
    });
    it.each(list.map((v) => [(v.frame as { t: string }).t, v] as const))('%s is written and read as recorded', (_t, v) => {
      const frame = revive(v.frame);
      expect(writer.encode(frame as never).toString('hex')).toBe(v.hex);
      const read = reader.decode(Buffer.from(v.hex, 'hex')) as Record<string, unknown>;
      // What a reader gets: control frames' base64 secrets and keys as bytes, the rest as written.
      for (const [k, val] of Object.entries(read)) {
        if (Buffer.isBuffer(val) && typeof frame[k] === 'string') expect(val.toString('base64')).toBe(frame[k]);
        else expect(val).toEqual(frame[k]);
      }
      expect(Object.keys(read).sort()).toEqual(Object.keys(frame).sort());
    });
  });

  it('version preambles', () => {
    for (const p of vectors.preamble) {
      expect(encodePreamble(p).toString('hex')).toBe(p.hex);
      expect(decodePreamble(Buffer.from(p.hex, 'hex'))).toEqual({ family: p.family, min: p.min, max: p.max });
    }
  });

  it('intro record', () => {
    const fields = decodeIntroValue(Buffer.from(vectors.intro.hex, 'hex'));
    expect(fields.endpoint).toBe('192.0.2.7:4040');
    expect(fields.expiresAt).toBe(1_800_000_000);
    expect(encodeIntroValue(fields).toString('hex')).toBe(vectors.intro.hex);
  });

  it('rendezvous record: the same slot and sealed value from the same secret, direction, day and nonce', () => {
    const v = vectors.rendezvous;
    const slot = rendezvousSlot(new SecretKey(Buffer.from(v.secret, 'hex')), v.from as ParleyId, v.to as ParleyId, v.day);
    expect(slot.keyPair.publicKey.toString('hex')).toBe(v.publicKey);
    expect(slot.salt.toString('hex')).toBe(v.salt);
    const value = Buffer.from(v.value, 'hex');
    const record = { publicKey: slot.keyPair.publicKey, salt: slot.salt, seq: 1, value, signature: slot.keyPair.sign(signable(slot.salt, 1, value)) };
    const opened = openRendezvous(slot, record, 1_800_000_000);
    expect(opened.endpoint).toBe('192.0.2.7:4040');
    const again = { relay: opened.relay, endpoint: opened.endpoint, transportKey: opened.transportKey, expiresAt: opened.expiresAt };
    expect(sealRendezvous(slot, again, Buffer.from(v.nonce, 'hex')).toString('hex')).toBe(v.value);
  });
});
