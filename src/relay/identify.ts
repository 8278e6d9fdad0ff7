import { createSocket } from 'node:dgram';
import { randomBytes } from '../identity/index.js';
import { decodeDatagram, encodeDatagram, TXID_BYTES } from '../wire/udp-datagrams.js';

/**
 * Asks the relay at host:port (its UDP reflector, on the same port as its TCP listener) which Noise
 * key it holds. The answer is only a hint: a caller looks up the descriptor signed by that key and
 * completes a Noise handshake to it before trusting it. Resolves null when nothing answered in time.
 */
export async function identifyRelay(
  host: string,
  port: number,
  opts: { localAddress?: string; timeoutMs?: number; resendMs?: number } = {},
): Promise<Buffer | null> {
  const socket = createSocket({ type: 'udp4' });
  const txid = randomBytes(TXID_BYTES);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.localAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {});
    return await new Promise<Buffer | null>((resolve) => {
      const send = () => socket.send(encodeDatagram({ type: 'identify', txid }), port, host, () => {});
      const resend = setInterval(send, opts.resendMs ?? 250);
      const deadline = setTimeout(() => finish(null), opts.timeoutMs ?? 1_500);
      function finish(key: Buffer | null) {
        clearInterval(resend);
        clearTimeout(deadline);
        resolve(key);
      }
      socket.on('message', (msg, from) => {
        const d = decodeDatagram(msg);
        if (d?.type === 'identity' && d.txid.equals(txid) && from.port === port && from.address === host) finish(d.publicKey);
      });
      send();
    });
  } finally {
    try {
      socket.close();
    } catch {
      // never bound (the local address was refused): nothing to close
    }
  }
}
