import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extrasOfOffer, isWebp } from '../../src/node/files-extras.js';
import { thumbnail } from '../../src/node/files-image.js';
import { FileOfferContent, MAX_THUMB_BYTES } from '../../src/wire/file-content.js';

const offer = (thumb?: Buffer, ttl?: number) =>
  FileOfferContent.parse({
    v: 1,
    t: 'file',
    x: 'ab'.repeat(16),
    name: 'a.jpg',
    size: 10,
    mime: 'image/jpeg',
    hash: 'cd'.repeat(32),
    key: Buffer.alloc(32).toString('base64'),
    header: Buffer.alloc(24).toString('base64'),
    cs: 22_528,
    n: 1,
    at: 1,
    ...(thumb ? { thumb: thumb.toString('base64') } : {}),
    ...(ttl ? { ttl } : {}),
  });

/*
 * A received thumbnail is untrusted: the receiver keeps it only when it is what a sender must send
 * (a WebP of at most 16 KiB), and never decodes it; the browser draws it.
 */
describe('a received thumbnail', () => {
  it('is kept when it is a WebP the sender made, with the timer counted from arrival', async () => {
    const png = await sharp({ create: { width: 900, height: 300, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer();
    const t = (await thumbnail(png))!;
    expect(isWebp(t)).toBe(true);
    expect((await sharp(t).metadata()).width).toBe(320);
    expect(extrasOfOffer(offer(t, 300), 1_000)).toEqual({ thumb: t, metadata: null, ttl: 300, expires_at: 301_000 });
  });

  it('is dropped (the file still comes) when it is anything else: a PNG, a RIFF with a wrong size, too large', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const webp = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .webp()
      .toBuffer();
    const lying = Buffer.from(webp);
    lying.writeUInt32LE(webp.length + 100, 4);
    for (const bad of [png, lying]) expect(extrasOfOffer(offer(bad), 0).thumb).toBeNull();
    expect(() => offer(Buffer.alloc(MAX_THUMB_BYTES + 1))).toThrow(); // the wire refuses an oversized one
    expect(extrasOfOffer(offer(), 0)).toEqual({ thumb: null, metadata: null, ttl: null, expires_at: null });
  });
});
