// Run by nat-node.test.ts (and bench/nat.ts) inside the public namespace of internet.ts: a few DHT
// nodes and two relays (each also a UDP reflector) on that namespace's addresses. Prints one JSON
// line, {bootstrap, relays}; then, for each line "metrics" on stdin, one line {sends, mails}: the
// mailbox `send` frames the relays received and `mail` frames they handed out, summed (a message
// that went through a relay moves both). Runs until SIGTERM.
import { createInterface } from 'node:readline';
import { DhtNode, formatHostPort } from '../../../src/dht/index.js';
import { RelayServer, configuredRelays, type RelayDirectory } from '../../../src/relay/index.js';

const [dhtHost, ...relayHosts] = process.argv.slice(2);
if (!dhtHost || relayHosts.length === 0) throw new Error('usage: punch-services.ts <dht-host> <relay-host>...');

const nodes: DhtNode[] = [];
let bootstrap: string[] = [];
for (let i = 0; i < 4; i++) {
  const node = new DhtNode({ bootstrap, host: dhtHost, queryTimeoutMs: 500 });
  await node.start();
  nodes.push(node);
  if (i === 0) bootstrap = [formatHostPort(node.address())];
}
let known: RelayDirectory = configuredRelays([]);
const directory: RelayDirectory = { isRelayAt: (host, port, key) => known.isRelayAt(host, port, key) };
const relays: RelayServer[] = [];
for (const [i, host] of relayHosts.entries()) {
  // Each relay is also a DHT exit, as testnet relays are: relayed people's identity-linked DHT traffic leaves from it.
  const relay = new RelayServer({ host, relays: directory, allowPrivateHops: true, dht: nodes[1 + (i % 3)]! });
  await relay.start();
  relays.push(relay);
}
known = configuredRelays(relays.map((r) => ({ ...r.address(), publicKey: r.publicKey })));
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
say({ bootstrap, relays: relays.map((r) => ({ ...r.address(), publicKey: r.publicKey.toString('base64') })) });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'metrics') return;
  const sum = (pick: (r: RelayServer) => number | undefined) => relays.reduce((n, r) => n + (pick(r) ?? 0), 0);
  say({ sends: sum((r) => r.metrics().framesIn.send), mails: sum((r) => r.metrics().framesOut.mail) });
});
process.once('SIGTERM', () => {
  void Promise.all([...relays.map((r) => r.stop()), ...nodes.map((n) => n.stop())]).then(() => process.exit(0));
});
