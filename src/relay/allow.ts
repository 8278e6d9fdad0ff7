import { BlockList, isIP, SocketAddress } from 'node:net';

/**
 * Addresses a circuit never leads to unless the relay runs in a closed local network
 * (`allowPrivateHops`): this host, its LAN and everything not routed on the internet, so a relay can
 * never be used to reach services on its own host or network. IPv4-mapped IPv6 is checked as IPv4.
 */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

const family = (host: string) => (isIP(host) === 6 ? 'ipv6' : 'ipv4');

/** True for an IP literal routed on the public internet (not loopback, link-local, private, ...). */
export function isPublicAddress(host: string): boolean {
  return isIP(host) !== 0 && !NOT_PUBLIC.check(host, family(host));
}

/** The one spelling of an IP literal (lower case, shortest IPv6), so two spellings compare equal. */
export function canonicalHost(host: string): string {
  return isIP(host) === 0 ? host : new SocketAddress({ address: host, family: family(host) }).address;
}

/** The local address an outgoing socket to `host` should leave from: ours, when it is a concrete address of the same family. */
export function bindFor(localAddress: string, host: string): { localAddress: string } | Record<string, never> {
  return isIP(localAddress) === isIP(host) && !/^(0\.0\.0\.0|::)$/.test(localAddress) ? { localAddress } : {};
}
