import { z } from 'zod';
import { DhtError } from './errors.js';
import { isIP } from 'node:net';
import { parseHostPort } from './host-port.js';

/**
 * The intro record's value: a compact binary layout rather than a bencoded dict, so its size is
 * exact and bounded (at most 445 bytes), and decoding needs no bencode parser of our own.
 *
 *   offset size  field
 *   0      1     version = 1
 *   1      1     flags: 0x01 transport key, 0x02 endpoint, 0x04 relay; other bits must be 0
 *   2      4     e: expiry, unix seconds, unsigned big-endian
 *   6      33    s: libsignal identity public key (type byte 0x05 + 32)
 *   39     64    b: binding: identity key's signature over s (identity/binding.ts)
 *   103    32    t: transport public key                  only with flag 0x01
 *   ..     1+n   a: direct endpoint "IP:port", UTF-8       only with flag 0x02 (an IP literal, never a name)
 *   ..     1+n   r: relay reference, opaque, n ≤ 255       only with flag 0x04
 *
 * Nothing may follow the last field. Everything is re-checked by the zod schema after decoding.
 */
export const INTRO_VERSION = 1;
const FLAG_TRANSPORT = 0x01;
const FLAG_ENDPOINT = 0x02;
const FLAG_RELAY = 0x04;
const KNOWN_FLAGS = FLAG_TRANSPORT | FLAG_ENDPOINT | FLAG_RELAY;
export const MAX_RELAY_BYTES = 255;

const bytes = (n: number, what: string) => z.custom<Buffer>((v) => Buffer.isBuffer(v) && v.length === n, { message: `${what} must be ${n} bytes` });

export const IntroFieldsSchema = z.strictObject({
  signalIdentityKey: bytes(33, 'the Signal identity key').refine((b) => b[0] === 0x05, 'the Signal identity key has the wrong type byte'),
  binding: bytes(64, 'the binding signature'),
  transportKey: bytes(32, 'the transport key').optional(),
  endpoint: z.string().max(255).refine(isIpEndpoint, 'the endpoint must be an IP address and port (no host names)').optional(),
  relay: z
    .custom<Buffer>((v) => Buffer.isBuffer(v) && v.length <= MAX_RELAY_BYTES, { message: `the relay reference must be at most ${MAX_RELAY_BYTES} bytes` })
    .optional(),
  expiresAt: z.number().int().min(0).max(0xffffffff),
});

/**
 * A direct endpoint is an IP literal and a port 1-65535: a record naming a host would make whoever
 * reads it resolve and dial a name of a stranger's choosing.
 */
function isIpEndpoint(s: string): boolean {
  const hp = parseHostPort(s);
  return hp !== null && isIP(hp.host.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/** What an intro record says, before anyone has verified it. */
export type IntroFields = z.infer<typeof IntroFieldsSchema>;

export function checkIntroFields(fields: unknown): IntroFields {
  const parsed = IntroFieldsSchema.safeParse(fields);
  if (!parsed.success) throw DhtError.BAD_SCHEMA('intro record', parsed.error.issues[0]?.message ?? 'invalid fields');
  return parsed.data;
}

export function encodeIntroValue(input: IntroFields): Buffer {
  const f = checkIntroFields(input);
  const head = Buffer.alloc(6);
  head[0] = INTRO_VERSION;
  head[1] = (f.transportKey ? FLAG_TRANSPORT : 0) | (f.endpoint !== undefined ? FLAG_ENDPOINT : 0) | (f.relay ? FLAG_RELAY : 0);
  head.writeUInt32BE(f.expiresAt, 2);
  const parts = [head, f.signalIdentityKey, f.binding];
  if (f.transportKey) parts.push(f.transportKey);
  if (f.endpoint !== undefined) parts.push(short(Buffer.from(f.endpoint, 'utf8')));
  if (f.relay) parts.push(short(f.relay));
  return Buffer.concat(parts);
}

export function decodeIntroValue(value: Buffer): IntroFields {
  const r = new Reader(value);
  const version = r.u8();
  if (version !== INTRO_VERSION) throw DhtError.BAD_SCHEMA('intro record', `unsupported version ${version}`);
  const flags = r.u8();
  if ((flags & ~KNOWN_FLAGS) !== 0) throw DhtError.BAD_SCHEMA('intro record', 'unknown flag bits');
  const fields: Record<string, unknown> = { expiresAt: r.u32() };
  fields.signalIdentityKey = r.take(33);
  fields.binding = r.take(64);
  if (flags & FLAG_TRANSPORT) fields.transportKey = r.take(32);
  if (flags & FLAG_ENDPOINT) fields.endpoint = r.short().toString('utf8');
  if (flags & FLAG_RELAY) fields.relay = r.short();
  if (!r.done()) throw DhtError.BAD_SCHEMA('intro record', 'trailing bytes');
  return checkIntroFields(fields);
}

function short(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([b.length]), b]);
}

class Reader {
  #at = 0;
  constructor(readonly buf: Buffer) {}
  take(n: number): Buffer {
    if (this.#at + n > this.buf.length) throw DhtError.BAD_SCHEMA('intro record', 'truncated');
    const out = Buffer.from(this.buf.subarray(this.#at, this.#at + n));
    this.#at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u32(): number {
    return this.take(4).readUInt32BE(0);
  }
  short(): Buffer {
    return this.take(this.u8());
  }
  done(): boolean {
    return this.#at === this.buf.length;
  }
}
