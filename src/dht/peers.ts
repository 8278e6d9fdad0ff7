import type DHT from 'bittorrent-dht';
import { DhtError } from './errors.js';
import type { HostPort } from './host-port.js';

/**
 * BEP5 on one bittorrent-dht instance: announce that we serve an infohash on a port, and find who
 * announced one. Peers are addresses only (compact IPv4 + port), whatever the lookup's nodes say:
 * callers verify each before trusting it.
 */

/** Most peers one lookup collects (a lookup that asks many nodes stops gathering here). */
export const MAX_PEERS = 200;

/** Announces `port` for `infoHash` to the closest nodes; resolves when the announce went out. */
export function announcePeer(dht: DHT, infoHash: Buffer, port: number, done: (err: DhtError | null, value: void) => void): void {
  // A fresh lookup each time (the library caches the closest nodes for 5 minutes, even stale ones).
  dht._tables.remove(infoHash.toString('hex'));
  dht.announce(infoHash, port, (err) => done(err ? DhtError.PUT_FAILED('the announce reached no node', err) : null));
}

/** Looks `infoHash` up (get_peers) and resolves with the distinct peers heard of. */
export function lookupPeers(dht: DHT, infoHash: Buffer, done: (err: DhtError | null, peers: HostPort[]) => void): void {
  const seen = new Map<string, HostPort>();
  const onPeer = (peer: { host: string; port: number }, hash: Buffer) => {
    if (!Buffer.isBuffer(hash) || !hash.equals(infoHash) || seen.size >= MAX_PEERS) return;
    if (typeof peer?.host === 'string' && Number.isInteger(peer.port) && peer.port > 0)
      seen.set(`${peer.host}:${peer.port}`, { host: peer.host, port: peer.port });
  };
  dht.on('peer', onPeer);
  dht.lookup(infoHash, (err) => {
    dht.off('peer', onPeer);
    if (err && seen.size === 0) return done(DhtError.LOOKUP_FAILED(err), []);
    done(null, [...seen.values()]);
  });
}
