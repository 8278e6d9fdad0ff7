import type { Testnet } from '../src/testnet/index.js';

/** `parley run` on `home`, joined to the testnet's first DHT node and its first relay, direct links on `host`. */
export function runArgs(net: Testnet, home: string, host: string): string[] {
  const relay = net.relays[0]!;
  return [
    'bin/parley.js',
    'run',
    '--home',
    home,
    '--bootstrap',
    net.bootstrap[0]!,
    '--relay',
    `${relay.host}:${relay.port}:${relay.publicKey}`,
    '--host',
    host,
  ];
}
