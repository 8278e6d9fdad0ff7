import type { DhtNode } from '../dht/index.js';
import { randomBytes } from '../identity/index.js';
import { RELAY_INFOHASH, RelayClient, identifyRelay, isPublicAddress, lookupRelay } from '../relay/index.js';
import type { RelayAddress } from './my-relay.js';

/**
 * Finding relays and checking each before it is trusted with anything:
 *  1. `get_peers` on the well-known relay infohash lists addresses (anyone may announce anything);
 *  2. each address is asked (over UDP) which Noise key it holds — a hint, nothing more;
 *  3. the descriptor signed by that key must be in the DHT and name exactly that address and port;
 *  4. a Noise IK handshake to that key must succeed there, and the relay must answer a request:
 *     its round trip is what we measure.
 */

export interface ProbeComponents {
  dht: Pick<DhtNode, 'findPeers' | 'getMutable'>;
  localAddress: string;
  /** Closed local networks: loopback and private addresses may be relays too. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

/** Most announced addresses checked in one discovery (the rest wait for the next). */
export const MAX_CANDIDATES = 24;

/** Relays announced in the DHT whose signed descriptor names the announced address. */
export async function discoverRelays(c: ProbeComponents): Promise<RelayAddress[]> {
  const peers = (await c.dht.findPeers(RELAY_INFOHASH)).filter((p) => c.allowPrivate || isPublicAddress(p.host)).slice(0, MAX_CANDIDATES);
  const found = await Promise.all(peers.map((p) => describedAt(c, p.host, p.port)));
  return found.filter((r): r is RelayAddress => r !== null);
}

async function describedAt(c: ProbeComponents, host: string, port: number): Promise<RelayAddress | null> {
  const key = await identifyRelay(host, port, { localAddress: c.localAddress, timeoutMs: c.timeoutMs ?? 1_500 }).catch(() => null);
  if (!key) return null;
  try {
    const d = await lookupRelay(c.dht, key);
    return d.host === host && d.port === port ? { host, port, publicKey: d.publicKey } : null;
  } catch {
    return null;
  }
}

/** A relay named only by its key: where its signed descriptor says it listens. */
export async function locateRelay(dht: Pick<DhtNode, 'getMutable'>, publicKey: string): Promise<RelayAddress> {
  const d = await lookupRelay(dht, Buffer.from(publicKey, 'base64'));
  return { host: d.host, port: d.port, publicKey: d.publicKey };
}

/** Handshakes with the relay and times one request; the round trip in ms, or null when it failed. */
export async function measureRelay(r: RelayAddress, localAddress: string, timeoutMs = 5_000): Promise<number | null> {
  const client = new RelayClient({ ...r, localAddress, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs });
  try {
    await client.connect();
    const start = performance.now();
    // A relay answers a read of a blob nobody wrote with "not found": proof it speaks the protocol.
    await client.getBlob(randomBytes(32).toString('base64'));
    return Math.max(0.01, Math.round((performance.now() - start) * 100) / 100);
  } catch {
    return null;
  } finally {
    await client.close().catch(() => {});
  }
}
