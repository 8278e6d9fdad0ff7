// Run by public-relays.test.ts inside a network namespace it creates, whose addresses are public
// ones (203.0.113.0/24, documentation space, never routed; the namespace has no way out). Starts a
// small DHT, two real relay programs joining it (one on 0.0.0.0, one on its own address), then
// tries circuits as a client would and as an attacker would. Prints one JSON line of findings.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { DhtNode, formatHostPort } from '../../../src/dht/index.js';
import { randomBytes } from '../../../src/identity/index.js';
import { RelayClient, RelayDescriptor, RelayError } from '../../../src/relay/index.js';

const [dhtHost, relayA, relayB, clientHost] = process.argv.slice(2) as [string, string, string, string];

const nodes: DhtNode[] = [];
let bootstrap: string[] = [];
for (let i = 0; i < 3; i++) {
  const node = new DhtNode({ bootstrap, host: dhtHost, queryTimeoutMs: 500 });
  await node.start();
  nodes.push(node);
  if (i === 0) bootstrap = [formatHostPort(node.address())];
}

const children: ChildProcess[] = [];
async function relay(args: string[]): Promise<RelayDescriptor> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/main.ts', ...args, '--bootstrap', ...bootstrap], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
  return RelayDescriptor.parse(JSON.parse(line));
}
// A listens on every address and announces one; B listens on its own public address.
const a = await relay(['--host', '0.0.0.0', '--announce-host', relayA]);
const b = await relay(['--host', relayB]);

const seen = { connections: 0 };
const service = createServer((_q, res) => res.end('not a relay'));
service.on('connection', () => seen.connections++);
await new Promise<void>((resolve) => service.listen(0, clientHost, resolve));
const servicePort = (service.address() as { port: number }).port;
const local = createServer((_q, res) => res.end('internal'));
local.on('connection', () => seen.connections++);
await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
const localPort = (local.address() as { port: number }).port;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OPENED',
    (e: unknown) => (RelayError.is(e) ? e.code : String(e)),
  );
const client = await new RelayClient({ ...a, localAddress: clientHost }).connect();
const far = await client.openCircuit(b.host, b.port, b.publicKey);
const mailbox = await far.registerMailbox(randomBytes(32));
const sender = await new RelayClient({ ...b, localAddress: clientHost }).connect();
const arrived = new Promise<Buffer>((resolve) => far.once('mail', (m) => resolve(m.bytes)));
await sender.send(mailbox, Buffer.from('across two public relays'));
const findings = {
  delivered: (await arrived).toString(),
  toNonRelay: await codeOf(client.openCircuitStream(clientHost, servicePort, randomBytes(32))),
  toLoopback: await codeOf(client.openCircuitStream('127.0.0.1', localPort, randomBytes(32))),
  toLoopbackWithRelayKey: await codeOf(client.openCircuitStream('127.0.0.1', localPort, Buffer.from(b.publicKey, 'base64'))),
  serviceConnections: seen.connections,
};
process.stdout.write(JSON.stringify(findings) + '\n');
await Promise.all([far.close(), client.close(), sender.close()]);
for (const c of children) c.kill('SIGTERM');
await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))));
service.close();
local.close();
await Promise.all(nodes.map((n) => n.stop()));
process.exit(0);
