import { isIP } from 'node:net';

/** Decides whether a relay may open a circuit to host:port. A relay is never an open proxy. */
export type CircuitPolicy = (host: string, port: number) => boolean;

const isLoopback = (host: string) => (isIP(host) === 4 ? host.startsWith('127.') : host === '::1');

/** Loopback only (127.0.0.0/8, ::1): where tests and `parley testnet` run their relays. */
export const loopbackOnly: CircuitPolicy = (host) => isLoopback(host);

/** No circuits at all. */
export const noCircuits: CircuitPolicy = () => false;

/**
 * The policy a relay gets when none is given: a relay listening on loopback may reach its loopback
 * peers; a relay on a public address opens no circuits, so it can never be used to reach services
 * on its own host or network. Public relays pass a policy that checks the DHT's relay descriptors.
 */
export function defaultCircuitPolicy(listenHost: string): CircuitPolicy {
  return isLoopback(listenHost) ? loopbackOnly : noCircuits;
}
