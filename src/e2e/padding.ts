import sodium from 'sodium-native';

/**
 * Every plaintext is padded, inside the Signal encryption, to one of a few sizes, so its length
 * tells an observer (a relay, the wire) nothing finer than the bucket: a receipt or a short text is
 * 256 bytes, longer ones 1, 4, 16 or 32 KiB. ISO/IEC 7816-4 padding through libsodium (0x80, then
 * zeros), so it is unambiguous whatever the content ends with. Larger contents (none a person can
 * send fits: a text is at most 16 KiB) go to the next multiple of the largest bucket.
 */
export const PAD_BUCKETS = [256, 1024, 4096, 16 * 1024, 32 * 1024] as const;
const LARGEST = PAD_BUCKETS[PAD_BUCKETS.length - 1]!;

export function paddedSize(length: number): number {
  const need = length + 1; // the 0x80 marker
  return PAD_BUCKETS.find((b) => b >= need) ?? Math.ceil(need / LARGEST) * LARGEST;
}

export function pad(content: Uint8Array): Buffer {
  const size = paddedSize(content.length);
  const out = Buffer.alloc(size);
  out.set(content);
  sodium.sodium_pad(out, content.length, size);
  return out;
}

/**
 * The content without its padding; null when the bytes carry no valid padding, which is what an
 * older sender's (unpadded) content looks like: the caller takes those as they are.
 */
export function unpad(padded: Buffer): Buffer | null {
  const n = padded.length;
  if (!(PAD_BUCKETS as readonly number[]).includes(n) && !(n > 0 && n % LARGEST === 0)) return null;
  try {
    return padded.subarray(0, sodium.sodium_unpad(padded, padded.length, padded.length));
  } catch {
    return null;
  }
}
