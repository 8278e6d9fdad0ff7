/*
 * Protocol versions. Every frame family carries its version in each frame (`v`), and each side of a
 * connection says which versions of the family it speaks in the first message after the Noise
 * handshake, the version preamble, before any frame:
 *
 *   offset size  field
 *   0      4     magic "PRLV" (Parley versions)
 *   4      1     family: 1 = peer frames, 2 = relay frames
 *   5      2     lowest version spoken, unsigned big-endian
 *   7      2     highest version spoken, unsigned big-endian
 *
 * This layout never changes: it is how two releases find out whether they can talk at all. The
 * initiator sends its preamble as soon as the handshake completes; the responder answers with its own
 * (one round trip per connection, so that a connection is open on the responder's side before it is
 * on the initiator's, as it was before versions). If the ranges do not overlap, both close with
 * UNSUPPORTED_VERSION (not "bad frame"), and each knows the other's range to tell its person which
 * side runs the older release. A frame whose `v` is outside the range is refused the same way.
 */
export const FAMILIES = { peer: 1, relay: 2 } as const;
export type Family = keyof typeof FAMILIES;

export interface Speaks {
  family: Family;
  min: number;
  max: number;
}

const MAGIC = Buffer.from('PRLV');
export const PREAMBLE_BYTES = 9;

export function encodePreamble(s: Speaks): Buffer {
  const out = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(out, 0);
  out[4] = FAMILIES[s.family];
  out.writeUInt16BE(s.min, 5);
  out.writeUInt16BE(s.max, 7);
  return out;
}

/** The other side's preamble, or null when the bytes are not one (an older release, or garbage). */
export function decodePreamble(bytes: Buffer): Speaks | null {
  if (bytes.length !== PREAMBLE_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) return null;
  const family = (Object.keys(FAMILIES) as Family[]).find((f) => FAMILIES[f] === bytes[4]);
  const min = bytes.readUInt16BE(5);
  const max = bytes.readUInt16BE(7);
  if (!family || min < 1 || max < min) return null;
  return { family, min, max };
}

/** The highest version both speak, or null when none. */
export function negotiate(mine: Speaks, theirs: Speaks): number | null {
  if (mine.family !== theirs.family) return null;
  const v = Math.min(mine.max, theirs.max);
  return v >= Math.max(mine.min, theirs.min) ? v : null;
}

/** "1", or "1–3": how a range reads in a sentence. */
export function rangeText(s: Pick<Speaks, 'min' | 'max'>): string {
  return s.min === s.max ? `${s.min}` : `${s.min}–${s.max}`;
}
