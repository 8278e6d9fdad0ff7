import { z } from 'zod';
import { Id32, IpHost, Port } from '../wire/relay-frames.js';
import { toB64 } from '../wire/bytes.js';
import type { RelayLimits } from './limits.js';

/**
 * What a relay publishes (in the DHT, under its key with salt `parley/relay/1`): where it listens,
 * its Noise key, and the limits a client must respect. Small enough for a 1000-byte BEP44 value.
 */
export const RelayDescriptor = z
  .object({
    v: z.literal(1),
    host: IpHost,
    port: Port,
    /** The relay's static Noise key, base64 (32 bytes). */
    publicKey: Id32,
    limits: z
      .object({
        mailItemBytes: z.number().int().min(1),
        mailboxItems: z.number().int().min(1),
        mailboxBytes: z.number().int().min(1),
        blobBytes: z.number().int().min(1),
        itemTtlS: z.number().int().min(1),
        blobTtlS: z.number().int().min(1),
      })
      .strict(),
  })
  .strict();
export type RelayDescriptor = z.infer<typeof RelayDescriptor>;

export function describeRelay(host: string, port: number, publicKey: Buffer, limits: RelayLimits): RelayDescriptor {
  return {
    v: 1,
    host,
    port,
    publicKey: toB64(publicKey),
    limits: {
      mailItemBytes: limits.mailItemBytes,
      mailboxItems: limits.mailboxItems,
      mailboxBytes: limits.mailboxBytes,
      blobBytes: limits.blobBytes,
      itemTtlS: Math.floor(limits.itemTtlMs / 1000),
      blobTtlS: Math.floor(limits.blobTtlMs / 1000),
    },
  };
}
