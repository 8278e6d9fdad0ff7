import type { Duplex } from 'node:stream';

/**
 * Watches the raw (still encrypted) byte stream and reports the first frame whose declared length
 * exceeds `maxBytes`, before anything buffers it. secret-stream frames each message as a 3-byte
 * little-endian length followed by that many bytes; the length is in clear.
 */
export function guardFrameSizes(socket: Duplex, maxBytes: number, onViolation: (declared: number) => void): void {
  let header = 0; // bytes of the current length prefix seen so far
  let length = 0; // declared length being assembled
  let remaining = 0; // body bytes still to skip
  socket.prependListener('data', (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        i += take;
        continue;
      }
      length |= chunk[i]! << (8 * header);
      header++;
      i++;
      if (header === 3) {
        if (length > maxBytes) {
          onViolation(length);
          return;
        }
        remaining = length;
        header = 0;
        length = 0;
      }
    }
  });
}
