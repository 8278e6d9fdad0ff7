import sharp from 'sharp';

/** What a phone writes into a photo: where it was taken, the camera, an XMP author. */
export const CAMERA = 'ParleyCam Zanzibar 9';
export const XMP_AUTHOR = 'quokkaberry-author';

/**
 * A 640×480 JPEG photo with GPS EXIF (51°30'12"N 0°7'39"W), a camera make and model, an XMP packet,
 * and orientation 6 (stored sideways: shown upright it is 480×640). Made by libvips at test time.
 */
export async function photoWithGps(): Promise<Buffer> {
  const w = 640;
  const h = 480;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + (i >> 9)) & 255;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'ParleyCam', Model: 'Zanzibar 9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1200/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3900/100' },
    })
    .withXmp(
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${XMP_AUTHOR}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`,
    )
    .toBuffer();
}

/** The tags of IFD0 in an EXIF block ("Exif\0\0" + TIFF), read by hand so the test depends on no EXIF library. */
function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.subarray(exif.toString('latin1', 0, 4) === 'Exif' ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  return Array.from({ length: u16(ifd) }, (_, k) => u16(ifd + 2 + k * 12));
}

/** What an image tells about where and with what it was taken (as libvips reads it). */
export async function whatItTells(image: Buffer) {
  const m = await sharp(image).metadata();
  return {
    format: m.format,
    width: m.autoOrient.width,
    height: m.autoOrient.height,
    exif: m.exif !== undefined,
    gps: m.exif !== undefined && ifd0Tags(m.exif).includes(0x8825), // GPSInfo: the GPS IFD's pointer
    xmp: m.xmp !== undefined,
    iptc: m.iptc !== undefined,
    camera: image.includes('ParleyCam'),
    author: image.includes(XMP_AUTHOR),
  };
}
