import { WireError } from '../wire/errors.js';
import { MAX_FRAME_BYTES } from '../wire/limits.js';

/*
 * Batched framing (codecs with `batched: true`, e.g. the relay's): each Noise message carries one or
 * more frames, each behind a 3-byte big-endian length,
 *
 *   [len u24][frame][len u24][frame]...
 *
 * so all the frames one side sends in an event-loop turn cost one encryption and one socket write.
 * A message whose lengths do not add up to its size closes the connection as BAD_FRAME.
 */
export const BATCH_HEADER = 3;
/** A batch stays within the frame guard's cap, and one largest frame always fits alone. */
export const MAX_BATCH_BYTES = MAX_FRAME_BYTES + BATCH_HEADER;

/** One Noise message holding `frames` (what Connection sends; tests use it to craft batches). */
export function batchFrames(frames: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(frames.reduce((n, f) => n + BATCH_HEADER + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.writeUIntBE(f.length, at, BATCH_HEADER);
    out.set(f, at + BATCH_HEADER);
    at += BATCH_HEADER + f.length;
  }
  return out;
}

/** The frames of one batched message, in order; throws a WireError where its lengths stop adding up. */
export function* batchedFrames(message: Buffer): Generator<Buffer> {
  for (let at = 0; at < message.length;) {
    if (at + BATCH_HEADER > message.length) throw WireError.BAD_FRAME('truncated batch');
    const end = at + BATCH_HEADER + message.readUIntBE(at, BATCH_HEADER);
    if (end > message.length) throw WireError.BAD_FRAME('truncated batch');
    yield message.subarray(at + BATCH_HEADER, end);
    at = end;
  }
}
