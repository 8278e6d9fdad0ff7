import type { z } from 'zod';
import { WireError } from './errors.js';
import { MAX_FRAME_BYTES } from './limits.js';

/** Turns frames into bytes and back; `decode` throws a WireError that says what was wrong, never echoing content. */
export interface FrameCodec<In, Out = In> {
  encode(frame: In): Buffer;
  decode(bytes: Buffer): Out;
}

/** JSON frames validated by a zod schema, capped at `max` bytes. */
export function jsonCodec<S extends z.ZodType>(schema: S, max = MAX_FRAME_BYTES): FrameCodec<z.input<S>, z.output<S>> {
  return {
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
