import { connect } from 'node:net';
import type { FrameCodec } from '../wire/json-codec.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { TransportError } from './errors.js';

export interface DialOptions extends ConnectionOptions {
  host: string;
  port: number;
  remotePublicKey: Buffer;
  /** Bind the outgoing socket to this local address (so loopback tests can tell parties apart). */
  localAddress?: string;
  connectTimeoutMs?: number;
}

/** Opens a TCP connection and completes Noise IK to `remotePublicKey`; resolves once encrypted. */
export async function dial<In, Out>(codec: FrameCodec<In, Out>, opts: DialOptions): Promise<Connection<In, Out>> {
  const socket = connect({ host: opts.host, port: opts.port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(TransportError.TIMEOUT('connecting'));
    }, opts.connectTimeoutMs ?? 5_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve();
    });
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(TransportError.CONNECT_FAILED(err.code ?? 'socket error'));
    };
    socket.once('error', onError);
  });
  socket.on('error', () => {});
  const conn = new Connection(socket, true, codec, opts);
  await conn.waitOpen();
  return conn;
}
