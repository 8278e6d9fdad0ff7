/**
 * Each testnet process gets its own loopback address so tests can tell them apart. Linux routes all
 * of 127.0.0.0/8 to `lo`, so any of them can be bound without setup. 127.0.0.1 stays free for
 * everything else; node i (0-based) is 127.0.0.(2+i), continuing in 127.0.1.x after 250 nodes.
 */
export const MAX_TESTNET_NODES = 250 * 250;

export function loopbackAddress(i: number): string {
  return `127.0.${Math.floor(i / 250)}.${2 + (i % 250)}`;
}
