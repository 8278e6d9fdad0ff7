import type DHT from 'bittorrent-dht';
import { DhtError } from './errors.js';

/** Binds the library's UDP socket; rejects with BIND_FAILED (k-rpc-socket reports some bind errors only as warnings). */
export function listen(dht: DHT, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onFail = (err: NodeJS.ErrnoException | undefined) => {
      if (err?.syscall !== 'bind' && err?.code !== 'EADDRINUSE' && err?.code !== 'EACCES') return;
      dht.off('error', onFail).off('warning', onFail);
      reject(DhtError.BIND_FAILED(typeof err?.code === 'string' ? err.code : 'unknown error'));
    };
    dht.on('error', onFail).on('warning', onFail);
    dht.listen(port, host, () => {
      dht.off('error', onFail).off('warning', onFail);
      resolve();
    });
  });
}

/**
 * Resolves once the bootstrap lookup has finished (the library's 'ready'), or has added nobody new
 * to the routing table for `quietMs` after adding someone, or after `timeoutMs`. 'ready' alone waits
 * for every node the lookup heard of, so a single departed node would cost a whole query timeout;
 * the rest of the lookup carries on in the background.
 * Call it before `listen`: answers can arrive as soon as the socket is bound.
 */
export function bootstrapped(dht: DHT, timeoutMs: number, quietMs: number): Promise<void> {
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(quiet);
      clearTimeout(limit);
      dht.off('node', onNode).off('ready', finish);
      resolve();
    };
    const onNode = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs).unref();
    };
    const limit = setTimeout(finish, timeoutMs).unref();
    dht.on('node', onNode).once('ready', finish);
  });
}
