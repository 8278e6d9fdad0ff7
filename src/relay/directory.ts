import { DhtError, type DhtNode } from '../dht/index.js';
import { canonicalHost } from './allow.js';
import { lookupRelay } from './published.js';

/** Where a relay learns which relays exist: a circuit may lead only to one of them. */
export interface RelayDirectory {
  /** True when the relay with Noise key `publicKey` listens at host:port (as far as this directory knows). */
  isRelayAt(host: string, port: number, publicKey: Buffer): Promise<boolean>;
}

export interface KnownRelay {
  host: string;
  port: number;
  /** Noise key, raw or base64. */
  publicKey: Buffer | string;
}

const keyOf = (k: Buffer | string) => (typeof k === 'string' ? k : k.toString('base64'));
const spot = (host: string, port: number, key: Buffer | string) => `${canonicalHost(host)}|${port}|${keyOf(key)}`;

/** The relays an operator named (`--next-relay host:port:key`). */
export function configuredRelays(relays: readonly KnownRelay[]): RelayDirectory {
  const known = new Set(relays.map((r) => spot(r.host, r.port, r.publicKey)));
  return { isRelayAt: async (host, port, key) => known.has(spot(host, port, key)) };
}

/** Relays whose signed descriptor (salt `parley/relay/1`) the DHT holds under their key, at that host:port. */
export function dhtRelays(dht: Pick<DhtNode, 'getMutable'>): RelayDirectory {
  return {
    isRelayAt: async (host, port, key) => {
      try {
        const d = await lookupRelay(dht, key);
        return canonicalHost(d.host) === canonicalHost(host) && d.port === port;
      } catch (err) {
        if (DhtError.is(err)) return false;
        throw err;
      }
    },
  };
}

/** A relay known to any of `directories`. */
export function anyDirectory(...directories: RelayDirectory[]): RelayDirectory {
  return {
    isRelayAt: async (host, port, key) => {
      for (const d of directories) if (await d.isRelayAt(host, port, key)) return true;
      return false;
    },
  };
}
