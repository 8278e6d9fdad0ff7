import { fileExtras, type Db, type FileExtras } from '../store/index.js';
import { MAX_THUMB_BYTES, type FileOfferContent } from '../wire/file-content.js';
import type { z } from 'zod';

/*
 * An offer's extras (migration 008): the thumbnail and the disappearing timer, both ways. The
 * receiver keeps a thumbnail only if it is what the sender must send (a WebP of at most 16 KiB); it
 * never decodes it: the local API serves it, as image/webp only, to the browser's <img>.
 */

type Offer = z.infer<typeof FileOfferContent>;

/** What a sent file's offer adds: its thumbnail and the timer it was sent under. */
export function offerExtras(db: Db, id: string): Pick<Offer, 'thumb' | 'ttl'> {
  const e = fileExtras(db, id);
  return {
    ...(e?.thumb ? { thumb: e.thumb.toString('base64') } : {}),
    ...(e?.ttl ? { ttl: e.ttl as Offer['ttl'] } : {}),
  };
}

/** A received offer's extras: a well-formed thumbnail, and when the file disappears (counted from its arrival). */
export function extrasOfOffer(o: Offer, now: number): FileExtras {
  const thumb = o.thumb === undefined ? null : Buffer.from(o.thumb, 'base64');
  return {
    thumb: thumb && isWebp(thumb) ? thumb : null,
    metadata: null,
    ttl: o.ttl || null,
    expires_at: o.ttl ? now + o.ttl * 1000 : null,
  };
}

/** A WebP's signature (RIFF…WEBP, with a size that matches) and at most MAX_THUMB_BYTES. */
export function isWebp(b: Buffer): boolean {
  return (
    b.length >= 16 &&
    b.length <= MAX_THUMB_BYTES &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP' &&
    b.readUInt32LE(4) + 8 === b.length
  );
}
