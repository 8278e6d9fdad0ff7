import type { Connection } from '../transport/index.js';

/* Flow-control helpers over a transport Connection. */
type AnyConnection = Connection<never, unknown>;

export function queuedBytes(conn: AnyConnection): number {
  return conn.queuedBytes;
}

/** Resolves once what is queued towards the peer has been written out (or the connection closed). */
export function drained(conn: AnyConnection): Promise<void> {
  const done = () => conn.closeReason !== null || queuedBytes(conn) === 0;
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    // secret-stream emits 'drain' only after its buffer went over its high-water mark: poll as well.
    const check = () => {
      if (!done()) return;
      clearInterval(timer);
      conn.stream.off('drain', check);
      conn.off('close', check);
      resolve();
    };
    const timer = setInterval(check, 10);
    conn.stream.on('drain', check);
    conn.on('close', check);
  });
}

/** `bytes` cut into slices of at most `max` bytes (views, not copies). */
export function* slices(bytes: Buffer, max: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += max) yield bytes.subarray(i, i + max);
}
