import { readFileSync } from 'node:fs';
import type { Testnet } from '../src/testnet/index.js';

/** The Node flags bin/parley.js's first line (`#!/usr/bin/env -S node …`) gives it when run as `parley`. */
export function launcherFlags(): string[] {
  const first = readFileSync('bin/parley.js', 'utf8').split('\n', 1)[0]!;
  return first.split(/\s+/).filter((w) => w.startsWith('--'));
}

/** Node's argv for `parley <args>` exactly as the installed command runs it (its shebang's flags included). */
export function parleyArgv(...args: string[]): string[] {
  return [...launcherFlags(), 'bin/parley.js', ...args];
}

/** `parley run` on `home`, joined to the testnet's first DHT node and its first relay, direct links on `host`. */
export function runArgs(net: Testnet, home: string, host: string): string[] {
  const relay = net.relays[0]!;
  return parleyArgv('run', '--home', home, '--bootstrap', net.bootstrap[0]!, '--relay', `${relay.host}:${relay.port}:${relay.publicKey}`, '--host', host);
}
