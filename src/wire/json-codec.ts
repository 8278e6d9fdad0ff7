import type { z } from 'zod';
import { WireError } from './errors.js';
import { MAX_FRAME_BYTES } from './limits.js';
import { rangeText, type Speaks } from './versions.js';

/** Turns frames into bytes and back; `decode` throws a WireError that says what was wrong, never echoing content. */
export interface FrameCodec<In, Out = In> {
  encode(frame: In): Buffer;
  decode(bytes: Buffer): Out;
  /** The family and versions this codec speaks; a Connection exchanges them first (wire/versions.ts). */
  speaks?: Speaks;
  /** Frames travel several to a Noise message, each behind its length (transport/batch.ts). */
  batched?: boolean;
}

/**
 * JSON frames validated by a zod schema, capped at `max` bytes. With `speaks`, a frame whose `v` is
 * outside the range is refused as UNSUPPORTED_VERSION (a newer or older release), not as malformed.
 */
export function jsonCodec<S extends z.ZodType>(schema: S, max = MAX_FRAME_BYTES, speaks?: Speaks): FrameCodec<z.input<S>, z.output<S>> {
  return {
    ...(speaks ? { speaks } : {}),
    encode(frame) {
      const bytes = Buffer.from(JSON.stringify(frame));
      if (bytes.length > max) throw WireError.FRAME_TOO_LARGE(bytes.length, max);
      return bytes;
    },
    decode(bytes) {
      if (bytes.length > max) throw WireError.FRAME_TOO_LARGE(bytes.length, max);
      let raw: unknown;
      try {
        raw = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw WireError.BAD_FRAME('not JSON');
      }
      if (speaks) {
        const v = (raw as { v?: unknown } | null)?.v;
        if (typeof v !== 'number' || v < speaks.min || v > speaks.max) throw WireError.UNSUPPORTED_VERSION(v, rangeText(speaks));
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : 'frame';
        throw WireError.BAD_FRAME(`${where}: ${issue?.code ?? 'invalid'}`);
      }
      return parsed.data;
    },
  };
}
