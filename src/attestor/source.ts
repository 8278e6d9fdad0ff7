import { isIP, SocketAddress } from 'node:net';

/**
 * The key rate limits count a client under: its IPv4 address, or its IPv6 /64 (one subscriber's
 * network: anyone given a /64 can rotate through 2^64 addresses, so counting single IPv6 addresses
 * would count nothing). An IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function sourceKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const address = new SocketAddress({ address: ip, family: 'ipv6' }).address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return `${expand(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a canonical IPv6 address (an IPv4 tail becomes two groups). */
function expand(address: string): string[] {
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = v4
    ? address.slice(0, v4.index) + [v4.slice(1, 3), v4.slice(3, 5)].map(([a, b]) => ((Number(a) << 8) | Number(b)).toString(16)).join(':')
    : address;
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}
