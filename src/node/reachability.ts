import { networkInterfaces } from 'node:os';
import { learnMapping, type MappingKind } from '../transport/index.js';
import type { RelayAddress } from './my-relay.js';
import { newUdx } from './udx.js';

/**
 * What this node can tell its person about being reachable: the public address and port a relay's
 * reflector saw (like STUN), whether a NAT sits in between and how it maps ports (two relays in
 * different /16s compared), and so whether a `direct` contact can reach this device. Shown to the
 * person only (`parley status`); never published.
 */
export interface Reachability {
  /** The public address:port a relay saw our UDP socket come from; null when no relay answered. */
  publicAddress: { host: string; port: number } | null;
  /** `none`: the address is this machine's own; else how the NAT maps (see MappingKind). */
  nat: 'none' | MappingKind | null;
  direct: { possible: boolean; why: string };
}

/** Asks up to two relays over UDP where they see a fresh socket bound to `host` come from. */
export async function learnReachability(host: string, listening: { host: string; port: number }, relays: RelayAddress[]): Promise<Reachability> {
  const udx = newUdx();
  const socket = udx.createSocket();
  try {
    socket.bind(0, host);
    const mapping = await learnMapping(socket, relays.slice(0, 2), { timeoutMs: 2_000 });
    const own = localAddresses().has(mapping.reflected.host) || mapping.reflected.host === host;
    const nat = own ? 'none' : mapping.kind;
    return { publicAddress: mapping.reflected, nat, direct: directVerdict(listening.host, nat) };
  } catch {
    return { publicAddress: null, nat: null, direct: { possible: false, why: 'no relay answered over UDP, so your public address is unknown' } };
  } finally {
    await socket.close().catch(() => {});
  }
}

export function directVerdict(listenHost: string, nat: Reachability['nat']): Reachability['direct'] {
  if (/^127\.|^::1$/.test(listenHost))
    return { possible: false, why: 'Parley listens on this machine only (loopback): only this machine can connect directly' };
  if (nat === 'none') return { possible: true, why: 'no NAT: contacts you set to `direct` can connect to you' };
  if (nat === 'stable') return { possible: true, why: 'behind a NAT that keeps one port per socket: direct works by hole punching' };
  if (nat === 'changes-ports')
    return { possible: false, why: 'your network changes ports for every destination: direct works only if your contact has no such NAT' };
  return { possible: false, why: 'behind a NAT of unknown kind (only one relay answered): direct may not work' };
}

function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => !!a),
  );
}
