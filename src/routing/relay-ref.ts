import { z } from 'zod';

/**
 * Where a person can be reached through a relay, as published in their intro record (`r`, ≤ 255
 * bytes): the relay (host, port, Noise key), their mailbox there, and the blob holding their
 * published prekey bundle.
 */
const Id = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
export const RelayRef = z
  .object({ h: z.string().max(45), p: z.number().int().min(1).max(65535), k: Id, m: Id, b: Id })
  .strict();
export type RelayRef = z.infer<typeof RelayRef>;

export function encodeRelayRef(ref: RelayRef): Buffer {
  return Buffer.from(JSON.stringify(ref));
}

export function decodeRelayRef(bytes: Buffer): RelayRef | null {
  try {
    const r = RelayRef.safeParse(JSON.parse(bytes.toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
