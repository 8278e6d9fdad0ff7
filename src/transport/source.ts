import { isIPv4, isIPv6 } from 'node:net';

/**
 * The "source" a remote address counts against for per-address limits: an IPv4 address as is, an
 * IPv6 address by its /64 (one subscriber usually holds a whole /64), an IPv4-mapped IPv6 address as
 * the IPv4 address. Anything else (a socket without an address) is one shared unknown source.
 */
export function sourceOf(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  const bare = address.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, each without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.includes('::') ? (address.split('::') as [string, string]) : [address, null];
  const groups = (s: string) => (s === '' ? [] : s.split(':')).flatMap((g) => (g.includes('.') ? fromDotted(g) : [g]));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  const middle = tail === null ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

/** An embedded dotted IPv4 tail (`::1.2.3.4`) as two 16-bit groups. */
function fromDotted(dotted: string): string[] {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
