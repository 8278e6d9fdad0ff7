import type Sharp from 'sharp';
import { MAX_THUMB_BYTES } from '../wire/file-content.js';
import type { FileMetadata } from '../store/index.js';
import { NodeError } from './errors.js';

/*
 * Images, on the sender's side only. By default an image's metadata (EXIF with its GPS position and
 * camera, XMP, IPTC, comments, ICC-embedded text) is removed before the file is encrypted: the
 * image is decoded and encoded again by libvips (through sharp), which writes none of it, with its
 * orientation applied first so the picture still stands the right way up. The re-encoded bytes are
 * what is hashed, sent and verified. With `keepMetadata` the original bytes go as they are.
 * Either way a small WebP thumbnail (at most 320 px, 16 KiB) travels inside the offer; the
 * receiver never decodes an image itself (its browser shows the thumbnail).
 */

/** The largest image Parley re-encodes (in memory); a larger one needs `keepMetadata`. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
export const THUMB_PX = 320;

let loaded: Promise<typeof Sharp> | null = null;

/**
 * sharp (libvips), loaded with the first image: a daemon that sends none never maps its ~20 MiB of
 * native libraries (issue 14: idle memory). libvips keeps no decoded images cached between cleanings.
 */
function sharpLib(): Promise<typeof Sharp> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  });
  return loaded;
}

type Kind = 'jpeg' | 'png' | 'webp' | 'gif' | 'heif';
const MIME: Record<Kind, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', heif: 'image/heic' };

export interface PreparedFile {
  source: AsyncIterable<Buffer>;
  /** The media type: the announced one, or the image's own when none was announced. */
  mime: string;
  thumb: Buffer | null;
  /** For an image: whether its metadata was removed or kept; null for any other file. */
  metadata: FileMetadata | null;
}

/** What kind of image these first bytes start, if any (by their signature, never by the name). */
export function imageKind(head: Buffer): Kind | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|hevc|heim|heis|mif1|msf1|avif|avis)$/.test(head.toString('latin1', 8, 12)))
    return 'heif';
  return null;
}

/**
 * Looks at the start of `source`: a file that is not an image passes through untouched (streamed);
 * an image is read whole (at most MAX_IMAGE_BYTES), cleaned unless `keepMetadata`, and thumbnailed.
 */
export async function prepareFile(source: AsyncIterable<Buffer>, mime: string, opts: { keepMetadata?: boolean } = {}): Promise<PreparedFile> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 12) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const piece = Buffer.from(r.value);
    head.push(piece);
    headBytes += piece.length;
  }
  const kind = imageKind(Buffer.concat(head));
  const rest = async function* () {
    yield* head;
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  };
  if (!kind) return { source: rest(), mime, thumb: null, metadata: null };

  const keep = opts.keepMetadata === true;
  const own = mime === 'application/octet-stream' || mime === '' ? MIME[kind] : mime;
  const whole: Buffer[] = [];
  let size = 0;
  for await (const piece of rest()) {
    size += piece.length;
    if (size > MAX_IMAGE_BYTES) {
      if (!keep) throw NodeError.IMAGE_NOT_CLEANED(`it is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
      // Too large to thumbnail in memory: the original goes as it is, streamed.
      const taken = whole.concat(piece);
      const more = async function* () {
        yield* taken;
        for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
      };
      return { source: more(), mime: own, thumb: null, metadata: 'kept' };
    }
    whole.push(piece);
  }
  const original = Buffer.concat(whole);
  const bytes = keep ? original : await cleaned(original, kind);
  return { source: once(bytes), mime: own, thumb: await thumbnail(bytes), metadata: keep ? 'kept' : 'removed' };
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** The image encoded again without any metadata, upright, at high quality, in its own format. */
async function cleaned(bytes: Buffer, kind: Kind): Promise<Buffer> {
  if (kind === 'heif') throw NodeError.IMAGE_NOT_CLEANED('this build of Parley cannot read HEIC images');
  const sharp = await sharpLib();
  try {
    const meta = await sharp(bytes).metadata();
    const animated = (meta.pages ?? 1) > 1;
    // An animation keeps its frames (and no orientation tag applies to it); a still is turned upright.
    const img = animated ? sharp(bytes, { animated: true }) : sharp(bytes).rotate();
    switch (kind) {
      case 'jpeg':
        // Without Huffman optimisation the encoder streams: with it, it holds every coefficient of
        // the image (72 MB for 12 MP at 4:4:4) for a file about 3 % smaller (bench/images.ts).
        return await img.jpeg({ quality: 92, chromaSubsampling: '4:4:4', optimiseCoding: false }).toBuffer();
      case 'png':
        return await img.png().toBuffer();
      case 'webp':
        return await img.webp(meta.isPalette || meta.hasAlpha ? { quality: 92, alphaQuality: 100 } : { quality: 92 }).toBuffer();
      case 'gif':
        return await img.gif().toBuffer();
    }
  } catch (err) {
    if (NodeError.is(err)) throw err;
    throw NodeError.IMAGE_NOT_CLEANED('it does not read as an image');
  }
}

/** A WebP of at most THUMB_PX on its longer side and MAX_THUMB_BYTES; null when the image cannot be read. */
export async function thumbnail(bytes: Buffer): Promise<Buffer | null> {
  const sharp = await sharpLib();
  for (const px of [THUMB_PX, 200, 120]) {
    for (const quality of [70, 50, 30]) {
      try {
        const t = await sharp(bytes, { pages: 1 }).rotate().resize(px, px, { fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer();
        if (t.length <= MAX_THUMB_BYTES) return t;
      } catch {
        return null;
      }
    }
  }
  return null;
}
