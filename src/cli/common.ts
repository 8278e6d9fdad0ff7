import { Option, type Command } from 'commander';
import type { ParleyNode, NodeOptions } from '../node/index.js';
import { resolveBootstrap, resolveRelays, isRelayKey } from './network.js';
import { CliError } from './errors.js';
import type { CommonOpts } from './options.js';

export { CliError } from './errors.js';
export { defaultHome, withHome, withJson, type CommonOpts } from './options.js';

export interface NetOpts {
  bootstrap?: string[];
  relay?: string[];
  network?: string;
  host?: string;
  port?: string;
}

export function withNetwork(cmd: Command): Command {
  return cmd
    .option('--bootstrap <host:port...>', 'DHT nodes to join (default: the running `parley testnet`)')
    .addOption(new Option('--network <name>', 'join a public network instead of the local testnet').choices(['mainline']))
    .option('--relay <key-or-host:port:key...>', "relays to use, by public key (found in the DHT) or address (default: the running testnet's)")
    .option('--host <addr>', 'local address to listen on (default: 127.0.0.1; with --network mainline all interfaces, 0.0.0.0)')
    .option('--port <n>', 'port for direct connections (default: last used, else any free one)');
}

export function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw CliError.BAD_NUMBER(flag);
  return n;
}

/** How a node joins the network, from the command-line flags (everything but its home). */
export function nodeOptionsFrom(opts: NetOpts): Omit<NodeOptions, 'home'> {
  return {
    bootstrap: resolveBootstrap(opts),
    relays: resolveRelays(opts),
    relayKeys: (opts.relay ?? []).filter(isRelayKey),
    // On the public network a `direct` contact on another machine must be able to connect; only
    // contacts set to `direct` ever learn the endpoint (and strangers only with consent).
    host: opts.host ?? (opts.network === 'mainline' && !opts.bootstrap?.length ? '0.0.0.0' : '127.0.0.1'),
    ...(opts.port !== undefined ? { port: positiveInt('--port', opts.port, 0) } : {}),
  };
}

/** Starts a node for this home, holding the home's lock for as long as it runs; `local`: its network comes up in the background. */
export async function startNode(opts: CommonOpts & NetOpts, extra: Partial<NodeOptions> = {}, how: { local?: boolean } = {}): Promise<ParleyNode> {
  // Loaded here, not at the top: commands that start no node (id, --help) do not pay for the network stack.
  const { startLockedNode } = await import('../node/index.js');
  return startLockedNode({ home: opts.home, ...nodeOptionsFrom(opts), ...extra }, () => CliError.BUSY(opts.home), how);
}

export async function stopNode(node: ParleyNode): Promise<void> {
  const { stopLockedNode } = await import('../node/index.js');
  await stopLockedNode(node);
}
