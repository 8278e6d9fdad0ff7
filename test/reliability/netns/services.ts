// Run by nat.test.ts inside the "internet" network namespace it creates: a few DHT nodes and two
// relays on that namespace's addresses (never loopback, never a public address). Prints one JSON
// line, {bootstrap, relays}, then runs until SIGTERM.
import { DhtNode, formatHostPort } from '../../../src/dht/index.js';
import { RelayServer, configuredRelays, type RelayDirectory } from '../../../src/relay/index.js';

const [dhtHost, ...relayHosts] = process.argv.slice(2);
if (!dhtHost || relayHosts.length === 0) throw new Error('usage: services.ts <dht-host> <relay-host>...');

const nodes: DhtNode[] = [];
let bootstrap: string[] = [];
for (let i = 0; i < 4; i++) {
  const node = new DhtNode({ bootstrap, host: dhtHost, queryTimeoutMs: 500 });
  await node.start();
  nodes.push(node);
  if (i === 0) bootstrap = [formatHostPort(node.address())];
}
const relays: RelayServer[] = [];
// Circuits may lead to the other relays of this closed network only (named as an operator would:
// they are known once all have started). Its addresses are private, hence allowPrivateHops.
let known: RelayDirectory = configuredRelays([]);
const directory: RelayDirectory = { isRelayAt: (host, port, key) => known.isRelayAt(host, port, key) };
// Each relay is also a DHT exit, as testnet relays are: relayed people's identity-linked DHT traffic
// leaves from it, and with one relay alone it would wait for a second (issue 13 §5).
for (const [i, host] of relayHosts.entries()) {
  const relay = new RelayServer({ host, relays: directory, allowPrivateHops: true, dht: nodes[1 + (i % 3)]! });
  await relay.start();
  relays.push(relay);
}
known = configuredRelays(relays.map((r) => ({ ...r.address(), publicKey: r.publicKey })));
process.stdout.write(JSON.stringify({ bootstrap, relays: relays.map((r) => ({ ...r.address(), publicKey: r.publicKey.toString('base64') })) }) + '\n');
process.once('SIGTERM', () => {
  void Promise.all([...relays.map((r) => r.stop()), ...nodes.map((n) => n.stop())]).then(() => process.exit(0));
});
