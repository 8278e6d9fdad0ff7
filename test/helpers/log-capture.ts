import pino from 'pino';
import { Writable } from 'node:stream';

/** A real pino logger whose output lines are kept for assertions. */
export function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
