import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Ed25519KeyPair } from '../identity/index.js';
import { RelayServer } from './server.js';

const USAGE = 'usage: relay [--host 127.0.0.1] [--port 0] [--announce-host IP] [--metrics-port N]   (PARLEY_RELAY_SEED=<64 hex> keeps the key across restarts)';

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
  const server = new RelayServer({
    host: values.host,
    port: port(values.port, '--port'),
    ...(values['announce-host'] ? { announceHost: values['announce-host'] } : {}),
    ...(seed ? { keyPair: Ed25519KeyPair.fromSeed(Buffer.from(seed, 'hex')).forNoise() } : {}),
    ...(values['metrics-port'] !== undefined ? { metricsPort: port(values['metrics-port'], '--metrics-port') } : {}),
  });
  await server.start();
  process.stdout.write(JSON.stringify(server.descriptor()) + '\n');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number (0-65535)`);
  return n;
}

// Run as a program only when this file itself is the entry (not when bundled into the CLI, where
// import.meta.url is the bundle's, nor when imported).
if (process.argv[1] && /[\\/]relay[\\/]main\.[jt]s$/.test(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) {
  relayMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`relay: ${err instanceof Error ? err.message : 'failed to start'}\n${USAGE}\n`);
    process.exit(1);
  });
}
