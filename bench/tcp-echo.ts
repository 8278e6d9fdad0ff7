import { createServer, connect } from 'node:net';
import { ms } from './stats.js';

/** Baseline: round trips of `size`-byte messages over a plain TCP echo on loopback. */
export async function tcpEchoRoundTrips(count: number, size: number): Promise<number[]> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const client = connect({ host: '127.0.0.1', port });
  client.setNoDelay(true);
  await new Promise((r) => client.once('connect', r));
  const payload = Buffer.alloc(size, 7);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (d: Buffer) => {
        got += d.length;
        if (got >= size) {
          client.off('data', onData);
          resolve();
        }
      };
      client.on('data', onData);
      client.write(payload);
    });
    samples.push(ms(start));
  }
  client.destroy();
  await new Promise((r) => server.close(r));
  return samples;
}
