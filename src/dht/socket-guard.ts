import { isIPv4, isIPv6 } from 'node:net';
import type { KrpcSocket } from 'bittorrent-dht';
import { sawDatagram } from './observe.js';

/** Counters a `SocketGuard` keeps: counted, never logged with addresses. */
export interface SocketCounters {
  /** KRPC queries this node sent (pings, find_node, get, put, ...): the cost of a lookup. */
  queriesSent: number;
  /** Datagrams refused because they were addressed off the loopback network (`loopbackOnly`). */
  blockedSends: number;
  /** Incoming datagrams whose handling threw inside bittorrent-dht (malformed fields). */
  droppedIncoming: number;
}

/**
 * Sits between bittorrent-dht and its UDP socket:
 *  - counts every outgoing KRPC query (every datagram goes through k-rpc-socket's `send`);
 *  - with `loopbackOnly`, refuses to send anything to a non-loopback address, so a closed test
 *    network can never leak onto the internet (not even through a library default);
 *  - catches exceptions bittorrent-dht 11 throws while handling a datagram. Its query handlers call
 *    `token.equals`, `target.toString('hex')` ... on fields a remote peer controls, so one packet with
 *    a number where a byte string belongs would otherwise crash the whole process.
 */
export class SocketGuard {
  readonly counters: SocketCounters = { queriesSent: 0, blockedSends: 0, droppedIncoming: 0 };

  constructor(krpcSocket: KrpcSocket, opts: { loopbackOnly: boolean; onDrop?: () => void }) {
    const send = krpcSocket.send.bind(krpcSocket);
    krpcSocket.send = (peer, message, cb) => {
      const host = peer.address ?? peer.host ?? '';
      if (opts.loopbackOnly && !isLoopback(host)) {
        this.counters.blockedSends++;
        cb?.(null);
        return;
      }
      if (message.y === 'q') this.counters.queriesSent++;
      send(peer, message, cb);
    };
    const udp = krpcSocket.socket;
    for (const listener of udp.listeners('message') as Array<(buf: Buffer, rinfo: unknown) => void>) {
      udp.removeListener('message', listener);
      udp.on('message', (buf: Buffer, rinfo: unknown) => {
        sawDatagram(() => udp.address(), buf, rinfo);
        try {
          listener(buf, rinfo);
        } catch {
          this.counters.droppedIncoming++;
          opts.onDrop?.();
        }
      });
    }
  }
}

export function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1';
  return false;
}
