import { WireError } from './errors.js';
import type { FrameCodec } from './json-codec.js';
import { MAX_FRAME_BYTES } from './limits.js';
import { rangeText, type Speaks } from './versions.js';

/*
 * Binary frames declared as a list of fields, read and written by one interpreter (no codec written
 * per frame type, no JSON, no base64, no schema library on the hot path). Layout of every frame:
 *
 *   offset size  field
 *   0      1     protocol version (a JSON frame starts with "{", 0x7B, which is never a version)
 *   1      1     frame type code
 *   2      ...   the type's fields, in declared order:
 *                  u32    4 bytes, unsigned big-endian, 1..2^32-1 (or from the field's `min`)
 *                  u53    8 bytes, unsigned big-endian, 1..2^53-1
 *                  opt32  4 bytes, unsigned big-endian, 0 = absent
 *                  id32   32 bytes (a mailbox or blob id; base64 text in the decoded frame)
 *                  hex16  16 bytes (a transfer id; 32 lower-case hex characters in the decoded frame)
 *                  key32  32 bytes (a secret; a Buffer in the decoded frame)
 *                  bytes  4-byte big-endian length, then that many bytes (within the field's bounds)
 *
 * The frame ends exactly after its last field: a byte more or less is a malformed frame.
 */
export type FieldKind = 'u32' | 'u53' | 'opt32' | 'id32' | 'hex16' | 'key32' | 'bytes';
export type Field =
  | { name: string; kind: Exclude<FieldKind, 'bytes' | 'u32'> }
  | { name: string; kind: 'u32'; min?: 0 | 1; max?: number }
  | { name: string; kind: 'bytes'; min: number; max: number };

export interface BinaryFrameSpec {
  /** The frame's `t`, as in the decoded object. */
  t: string;
  /** Its type code on the wire, 1..255 (unique within a family). */
  code: number;
  fields: readonly Field[];
}

/** A spec's field values as decoded: numbers, text ids, and `B` for bytes (Buffer decoded, any Uint8Array to send). */
type FieldValue<K extends FieldKind, B> = K extends 'u32' | 'u53' | 'opt32' ? number : K extends 'id32' | 'hex16' ? string : B;
type Fields<S extends BinaryFrameSpec> = S['fields'][number];
type Always<S extends BinaryFrameSpec, B> = { [F in Fields<S> as F['kind'] extends 'opt32' ? never : F['name']]: FieldValue<F['kind'], B> };
type Optional<S extends BinaryFrameSpec> = { [F in Fields<S> as F['kind'] extends 'opt32' ? F['name'] : never]?: number };
type Flat<O> = { [K in keyof O]: O[K] };

/**
 * The frame type a spec declares (write the spec `as const satisfies BinaryFrameSpec`): `v`, its `t`,
 * and one property per field, an `opt32` one optional (0 on the wire is absent). The spec table is
 * then the one definition of a binary frame, its TypeScript type included.
 */
export type BinaryFrameOf<S extends BinaryFrameSpec, V extends number, B extends Uint8Array = Buffer> = Flat<{ v: V; t: S['t'] } & Always<S, B> & Optional<S>>;

/** The first byte of every JSON frame. */
export const JSON_FRAME_START = 0x7b;

const FIXED: Record<Exclude<FieldKind, 'bytes'>, number> = { u32: 4, u53: 8, opt32: 4, id32: 32, hex16: 16, key32: 32 };
const HEX16 = /^[0-9a-f]{32}$/;
const U32_MAX = 2 ** 32 - 1;

type Frame = Record<string, unknown> & { v: number; t: string };

/** Encoder and decoder for a set of binary frame types of one family at one version. */
export class BinaryFrames {
  readonly #byT = new Map<string, BinaryFrameSpec>();
  readonly #byCode = new Map<number, BinaryFrameSpec>();

  constructor(
    readonly version: number,
    specs: readonly BinaryFrameSpec[],
  ) {
    for (const s of specs) {
      if (this.#byT.has(s.t) || this.#byCode.has(s.code) || s.code < 1 || s.code > 255) throw new Error(`binary frame ${s.t}: duplicate or bad code`);
      this.#byT.set(s.t, s);
      this.#byCode.set(s.code, s);
    }
  }

  /** Whether frames of type `t` travel in binary. */
  has(t: string): boolean {
    return this.#byT.has(t);
  }

  get types(): string[] {
    return [...this.#byT.keys()];
  }

  encode(frame: Frame): Buffer {
    const spec = this.#byT.get(frame.t);
    if (!spec) throw WireError.BAD_FRAME(`no binary frame ${frame.t}`);
    let size = 2;
    for (const f of spec.fields) size += f.kind === 'bytes' ? 4 + (frame[f.name] as Uint8Array).length : FIXED[f.kind];
    const out = Buffer.allocUnsafe(size);
    out[0] = this.version;
    out[1] = spec.code;
    let at = 2;
    for (const f of spec.fields) {
      const value = frame[f.name];
      switch (f.kind) {
        case 'u32':
          out.writeUInt32BE(value as number, at);
          break;
        case 'opt32':
          out.writeUInt32BE(value === undefined ? 0 : (value as number), at);
          break;
        case 'u53':
          out.writeUInt32BE(Math.floor((value as number) / 2 ** 32), at);
          out.writeUInt32BE((value as number) >>> 0, at + 4);
          break;
        case 'id32':
          if (out.write(value as string, at, 32, 'base64') !== 32) throw WireError.BAD_FRAME(`${f.name}: not 32 bytes`);
          break;
        case 'hex16':
          if (!HEX16.test(value as string)) throw WireError.BAD_FRAME(`${f.name}: not 32 hex characters`);
          out.write(value as string, at, 16, 'hex');
          break;
        case 'key32':
        case 'bytes': {
          const b = value as Uint8Array;
          if (f.kind === 'key32' && b.length !== 32) throw WireError.BAD_FRAME(`${f.name}: not 32 bytes`);
          if (f.kind === 'bytes') {
            out.writeUInt32BE(b.length, at);
            at += 4;
          }
          out.set(b, at);
          at += b.length;
          continue;
        }
      }
      at += FIXED[f.kind];
    }
    return out;
  }

  /** The frame in `bytes` (whose first byte is this family's version); a WireError says what is wrong. */
  decode(bytes: Buffer): Frame {
    const spec = this.#byCode.get(bytes[1] ?? -1);
    if (!spec) throw WireError.BAD_FRAME(bytes.length < 2 ? 'truncated' : 'unknown frame type');
    const frame: Frame = { v: bytes[0]!, t: spec.t };
    let at = 2;
    for (const f of spec.fields) {
      const need = f.kind === 'bytes' ? 4 : FIXED[f.kind];
      if (at + need > bytes.length) throw WireError.BAD_FRAME(`${f.name}: truncated`);
      switch (f.kind) {
        case 'u32': {
          const n = bytes.readUInt32BE(at);
          if (n < (f.min ?? 1) || n > (f.max ?? U32_MAX)) throw WireError.BAD_FRAME(`${f.name}: out of range`);
          frame[f.name] = n;
          break;
        }
        case 'opt32': {
          const n = bytes.readUInt32BE(at);
          if (n !== 0) frame[f.name] = n;
          break;
        }
        case 'u53': {
          const hi = bytes.readUInt32BE(at);
          const n = hi * 2 ** 32 + bytes.readUInt32BE(at + 4);
          if (hi > 0x1fffff || n < 1) throw WireError.BAD_FRAME(`${f.name}: out of range`);
          frame[f.name] = n;
          break;
        }
        case 'id32':
          frame[f.name] = bytes.toString('base64', at, at + 32);
          break;
        case 'hex16':
          frame[f.name] = bytes.toString('hex', at, at + 16);
          break;
        case 'key32':
          // A copy: what is kept must not pin the whole network chunk it arrived in.
          frame[f.name] = Buffer.from(bytes.subarray(at, at + 32));
          break;
        case 'bytes': {
          const n = bytes.readUInt32BE(at);
          at += 4;
          if (n < f.min || n > f.max) throw WireError.BAD_FRAME(`${f.name}: expected ${f.min}..${f.max} bytes, got ${n}`);
          if (at + n > bytes.length) throw WireError.BAD_FRAME(`${f.name}: truncated`);
          frame[f.name] = Buffer.from(bytes.subarray(at, at + n));
          at += n;
          continue;
        }
      }
      at += need;
    }
    if (at !== bytes.length) throw WireError.BAD_FRAME('trailing bytes');
    return frame;
  }
}

/**
 * One codec over JSON control frames and binary frames: a frame is binary when its type is one of
 * `binary`'s (encode), or when its first byte is not "{" (decode). Sizes are capped at `max`.
 */
export function mixedCodec<In extends { t: string }, Out>(
  json: FrameCodec<unknown, unknown>,
  binary: BinaryFrames,
  speaks: Speaks,
  max = MAX_FRAME_BYTES,
): FrameCodec<In, Out> {
  return {
    speaks,
    encode(frame) {
      if (!binary.has(frame.t)) return json.encode(frame);
      const bytes = binary.encode(frame as unknown as Frame);
      if (bytes.length > max) throw WireError.FRAME_TOO_LARGE(bytes.length, max);
      return bytes;
    },
    decode(bytes) {
      if (bytes.length > max) throw WireError.FRAME_TOO_LARGE(bytes.length, max);
      const first = bytes[0];
      if (first === JSON_FRAME_START) return json.decode(bytes) as Out;
      if (first === binary.version) return binary.decode(bytes) as Out;
      // A small first byte reads as another version's binary frame; anything else is not a frame.
      if (first !== undefined && first > 0 && first < 0x20) throw WireError.UNSUPPORTED_VERSION(first, rangeText(speaks));
      throw WireError.BAD_FRAME('not a frame');
    },
  };
}
