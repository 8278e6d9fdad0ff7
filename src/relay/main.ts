import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DhtNode, parseHostPort } from '../dht/index.js';
import { Ed25519KeyPair, randomBytes } from '../identity/index.js';
import { anyDirectory, configuredRelays, dhtRelays, type KnownRelay, type RelayDirectory } from './directory.js';
import { descriptorPublisher } from './published.js';
import { RelayAnnouncer } from './announce.js';
import { silentLogger } from './logger.js';
import { RelayServer } from './server.js';

const USAGE = [
  'usage: relay [--host 127.0.0.1] [--port 0] [--announce-host IP] [--metrics-port N]',
  '             [--bootstrap host:port ...] [--next-relay host:port:key ...] [--allow-private-hops]',
  '  --bootstrap           join this DHT: publish our descriptor, announce us on the relay infohash (so nodes',
  '                        find us), and let circuits lead to relays published there',
  '  --next-relay          a relay circuits may lead to, named by the operator (IP:port:base64 Noise key)',
  '  --allow-private-hops  closed local test networks only: circuits may lead to loopback and private addresses',
  '  PARLEY_RELAY_SEED=<64 hex> keeps the key across restarts',
].join('\n');

/**
 * `parley relay`: starts a relay, prints its descriptor (host, port, public key, limits) as one JSON
 * line, and stops cleanly on SIGINT/SIGTERM. Keeps nothing on disk.
 */
export async function relayMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<RelayServer> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'announce-host': { type: 'string' },
      'metrics-port': { type: 'string' },
      bootstrap: { type: 'string', multiple: true },
      'next-relay': { type: 'string', multiple: true },
      'allow-private-hops': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const seed = env.PARLEY_RELAY_SEED;
  if (seed !== undefined && !/^[0-9a-f]{64}$/i.test(seed)) throw new Error('PARLEY_RELAY_SEED must be 64 hex characters');
  const keyPair = Ed25519KeyPair.fromSeed(seed ? Buffer.from(seed, 'hex') : randomBytes(32)).forNoise();
  const bootstrap = (values.bootstrap ?? []).map((b) => {
    if (!parseHostPort(b)) throw new Error(`--bootstrap ${b}: expected host:port`);
    return b;
  });
  const named = (values['next-relay'] ?? []).map(nextRelay);
  const directories: RelayDirectory[] = [configuredRelays(named)];
  const dht = bootstrap.length ? new DhtNode({ bootstrap, host: values.host }) : null;
  if (dht) {
    await dht.start();
    directories.push(dhtRelays(dht));
  }
  const server = new RelayServer({
    host: values.host,
    port: port(values.port, '--port'),
    ...(values['announce-host'] ? { announceHost: values['announce-host'] } : {}),
    keyPair,
    relays: anyDirectory(...directories),
    allowPrivateHops: values['allow-private-hops'],
    // The operator's fellow relays carry their clients' circuits here: not one source's share for all of them.
    peerRelayHosts: named.map((r) => r.host),
    // With a DHT, the relay is also a DHT exit for people who come through a circuit.
    ...(dht ? { dht } : {}),
    ...(values['metrics-port'] !== undefined ? { metricsPort: port(values['metrics-port'], '--metrics-port') } : {}),
  });
  await server.start();
  const publisher = dht ? descriptorPublisher(dht, keyPair, () => server.descriptor()) : null;
  await publisher?.start();
  const announcer = dht ? new RelayAnnouncer({ dht, port: () => server.address().port, logger: silentLogger }) : null;
  await announcer?.start();
  process.stdout.write(JSON.stringify(server.descriptor()) + '\n');
  const stop = () =>
    void (async () => {
      await announcer?.stop();
      await publisher?.stop();
      await server.stop();
      await dht?.stop();
      process.exit(0);
    })();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number (0-65535)`);
  return n;
}

/** `IP:port:key` (an IPv6 literal in brackets: `[2001:db8::1]:7000:key`). */
function nextRelay(text: string): KnownRelay {
  const m = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d{1,5}):([A-Za-z0-9+/]{43}=)$/.exec(text);
  const host = m?.[1]?.replace(/^\[|\]$/g, '');
  if (!m || !host || !parseHostPort(`${m[1]}:${m[2]}`)) throw new Error(`--next-relay ${text}: expected IP:port:key (the relay's base64 Noise key)`);
  return { host, port: port(m[2]!, '--next-relay'), publicKey: m[3]! };
}

// Run as a program only when this file itself is the entry (not when bundled into the CLI, where
// import.meta.url is the bundle's, nor when imported).
if (process.argv[1] && /[\\/]relay[\\/]main\.[jt]s$/.test(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) {
  relayMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`relay: ${err instanceof Error ? err.message : 'failed to start'}\n${USAGE}\n`);
    process.exit(1);
  });
}
