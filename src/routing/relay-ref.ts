import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Where a person can be reached through a relay, as published in their intro record (`r`, ≤ 255
 * bytes): the relay (host, port, Noise key), their mailbox there, and the blob holding their
 * published prekey bundle.
 */
const Id = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
/**
 * A relay is named by an IP literal a relay can listen on: never a host name (a stranger's intro
 * record would make us resolve and dial a name of their choosing), never an unspecified, multicast
 * or broadcast address.
 */
const RelayHost = z
  .string()
  .max(45)
  .refine((h) => isIP(h) !== 0, 'a relay is named by its IP address')
  .refine((h) => !/^(0\.|2(2[4-9]|[3-5]\d)\.)/.test(h) && !/^(::|ff[0-9a-f]{2}:.*)$/i.test(h), 'not an address a relay listens on');
export const RelayRef = z.object({ h: RelayHost, p: z.number().int().min(1).max(65535), k: Id, m: Id, b: Id }).strict();
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
