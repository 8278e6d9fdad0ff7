import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { prepareFile } from '../../src/node/files-image.js';
import { whatItTells, XMP_AUTHOR } from '../helpers/images.js';

async function* of(b: Buffer, piece = 1000): AsyncGenerator<Buffer> {
  for (let o = 0; o < b.length; o += piece) yield b.subarray(o, o + piece);
}
const bytesOf = async (src: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const p of src) parts.push(p);
  return Buffer.concat(parts);
};
const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${XMP_AUTHOR}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`;
const tagged = (img: sharp.Sharp) =>
  img
    .withExif({ IFD0: { Make: 'ParleyCam', Model: 'Zanzibar 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1200/100' } })
    .withXmp(xmp)
    .toBuffer();
const picture = () => sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 20, g: 120, b: 200, alpha: 0.5 } } });

/* What the sender does to each kind of image before it is encrypted (files-image.ts), read back by libvips. */
describe('an image, before it is sent', () => {
  for (const [kind, make] of [
    ['PNG', () => tagged(picture().png())],
    ['WebP', () => tagged(picture().webp())],
    ['JPEG', () => tagged(picture().flatten().jpeg())],
  ] as const) {
    it(`${kind}: GPS, camera and XMP are gone; size and transparency stay`, async () => {
      const original = await make();
      expect(await whatItTells(original)).toMatchObject({ gps: true, xmp: true, camera: true, author: true });
      const p = await prepareFile(of(original), 'application/octet-stream');
      const cleaned = await bytesOf(p.source);
      expect(p).toMatchObject({ metadata: 'removed', mime: `image/${kind.toLowerCase()}` });
      expect(await whatItTells(cleaned)).toMatchObject({ width: 300, height: 200, exif: false, gps: false, xmp: false, camera: false, author: false });
      if (kind !== 'JPEG') expect((await sharp(cleaned).metadata()).hasAlpha).toBe(true);
      expect(p.thumb!.length).toBeLessThanOrEqual(16 * 1024);
    });
  }

  it('HEIC cannot be cleaned here: refused with a sentence, or sent as it is when the details are kept', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(500, 1)]);
    await expect(prepareFile(of(heic), 'image/heic')).rejects.toThrow(
      /could not remove the location and camera details from this image \(this build of Parley cannot read HEIC images\), so nothing was sent/,
    );
    const kept = await prepareFile(of(heic), 'image/heic', { keepMetadata: true });
    expect(kept).toMatchObject({ metadata: 'kept', thumb: null });
    expect((await bytesOf(kept.source)).equals(heic)).toBe(true);
  });

  it('a file that only looks like an image by name, or is not one at all, goes byte for byte', async () => {
    const data = Buffer.from('%PDF-1.7 not a picture at all'.repeat(50));
    const p = await prepareFile(of(data, 7), 'image/jpeg');
    expect(p).toMatchObject({ metadata: null, thumb: null, mime: 'image/jpeg' });
    expect((await bytesOf(p.source)).equals(data)).toBe(true);
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 9)]);
    await expect(prepareFile(of(broken), 'image/jpeg')).rejects.toThrow(/it does not read as an image/);
  });
});
