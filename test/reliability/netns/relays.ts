// Run inside the public namespace of internet.ts: relays (and so their UDP reflectors) on the given
// addresses. Prints one JSON line, {relays: [{host, port, publicKey}]}, then runs until SIGTERM.
import { RelayServer } from '../../../src/relay/index.js';

const hosts = process.argv.slice(2);
if (hosts.length === 0) throw new Error('usage: relays.ts <host>...');
const relays: RelayServer[] = [];
for (const host of hosts) {
  const relay = new RelayServer({ host }); // no next hops configured: circuits are refused
  await relay.start();
  relays.push(relay);
}
process.stdout.write(JSON.stringify({ relays: relays.map((r) => ({ ...r.address(), publicKey: r.publicKey.toString('base64') })) }) + '\n');
process.once('SIGTERM', () => void Promise.all(relays.map((r) => r.stop())).then(() => process.exit(0)));
