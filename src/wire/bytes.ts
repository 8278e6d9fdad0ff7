import { z } from 'zod';

/** Base64 text that decodes to bytes within [min, max] length: the only way bytes travel in JSON frames. */
export function b64(min: number, max: number) {
  return z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .transform((s, ctx) => {
      const buf = Buffer.from(s, 'base64');
      if (buf.length < min || buf.length > max) {
        ctx.addIssue({ code: 'custom', message: `expected ${min}..${max} bytes, got ${buf.length}` });
        return z.NEVER;
      }
      return buf;
    });
}

export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** A copy as a plain `Uint8Array<ArrayBuffer>`, the shape libsignal's API asks for. */
export const u8 = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
