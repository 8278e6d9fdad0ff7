import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity, saveIdentity } from '../../identity/index.js';
import { ParleyNode, type RelayAddress } from '../../node/index.js';
import { startTestnet } from '../../testnet/index.js';
import type { MessageRow } from '../../store/index.js';
import { describeRoute } from './messages.js';

async function person(root: string, name: string, bootstrap: string[], host: string, relays: RelayAddress[]): Promise<ParleyNode> {
  const home = join(root, name.toLowerCase());
  saveIdentity(home, Identity.generate());
  const node = new ParleyNode({ home, bootstrap, host, relays, retry: { baseMs: 500, maxMs: 5_000 } });
  await node.start();
  return node;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a self-contained local network with two people, Alice and Bob, chatting (what `npm start` runs)')
    .action(async () => {
      const root = mkdtempSync(join(tmpdir(), 'parley-demo-'));
      process.stdout.write('Starting a closed local network (8 DHT nodes on 127.0.0.x, 2 relays on 127.0.2.x)...\n');
      const net = await startTestnet({ dhtNodes: 8, relays: 2 });
      const alice = await person(root, 'Alice', net.bootstrap, '127.0.0.100', [net.relays[0]!]);
      const bob = await person(root, 'Bob', net.bootstrap, '127.0.0.101', [net.relays[1]!]);
      alice.addContact(bob.id, 'Bob');
      bob.addContact(alice.id, 'Alice');
      // Both keep the default, `relayed`: neither sees the other's IP, and no relay sees both.
      const show = (who: string) => (m: MessageRow) => process.stdout.write(`${who} received: ${m.body}\n   as ${who} saw it: ${describeRoute(m.route)}\n`);
      bob.on('message', show('Bob'));
      alice.on('message', show('Alice'));
      const receipt = (who: string) => (m: MessageRow) =>
        process.stdout.write(`   ${who}'s message delivered (end-to-end receipt back); it went: ${describeRoute(m.route)}\n`);
      alice.on('delivered', receipt('Alice'));
      bob.on('delivered', receipt('Bob'));
      process.stdout.write(`Alice: ${alice.id}\nBob:   ${bob.id}\n`);
      alice.send(bob.id, 'Hello Bob! Found you through the DHT.');
      const stop = async () => {
        await Promise.all([alice.stop(), bob.stop()]);
        await net.stop();
        rmSync(root, { recursive: true, force: true });
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write('Type a line to send it from Alice to Bob; start it with "bob: " to answer as Bob. Ctrl-D or Ctrl-C to stop.\n');
      const rl = createInterface({ input: process.stdin });
      rl.on('line', (text) => {
        const asBob = text.toLowerCase().startsWith('bob:');
        const body = asBob ? text.slice(4).trim() : text.trim();
        if (!body) return;
        if (asBob) bob.send(alice.id, body);
        else alice.send(bob.id, body);
      });
      rl.on('close', () => setTimeout(stop, 3_000));
    });
}
