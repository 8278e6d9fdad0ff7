import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, apiToken, startApi, type RunningApi } from '../../api/index.js';
import { startTestnet } from '../../testnet/index.js';
import { positiveInt } from '../common.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a self-contained local network (DHT nodes + 2 relays) with two people, Alice and Bob, each with a web UI (what `npm start` runs)')
    .option('--ready', 'skip onboarding: Alice and Bob already exist and know each other')
    .option('--ui-port <n>', "port of Alice's web UI; Bob's is the next one (default: any free ports)")
    .action(async (opts: { ready?: boolean; uiPort?: string }) => {
      const uiPort = positiveInt('--ui-port', opts.uiPort, 0);
      const root = mkdtempSync(join(tmpdir(), 'parley-demo-'));
      process.stdout.write('Starting a closed local network: 8 DHT nodes on 127.0.0.x and 2 relays on 127.0.2.x (nothing leaves this machine)...\n');
      const net = await startTestnet({ dhtNodes: 8, relays: 2 });
      const people: Array<{ name: string; daemon: Daemon; api: RunningApi }> = [];
      for (const [i, name] of ['Alice', 'Bob'].entries()) {
        const home = join(root, name.toLowerCase());
        const daemon = new Daemon({
          home,
          node: { bootstrap: net.bootstrap, host: `127.0.0.${100 + i}`, relays: [net.relays[i]!], retry: { baseMs: 500, maxMs: 5_000 } },
        });
        await daemon.open();
        if (opts.ready) await daemon.onboard({ mode: 'incognito', name });
        const api = await startApi({ daemon, token: apiToken(home), port: uiPort ? uiPort + i : 0 });
        people.push({ name, daemon, api });
      }
      if (opts.ready) {
        const [a, b] = people as [(typeof people)[0], (typeof people)[0]];
        a.daemon.addContact(b.daemon.state().me!.id, 'Bob');
        b.daemon.addContact(a.daemon.state().me!.id, 'Alice');
      }
      process.stdout.write('\nOpen each link in its own browser tab:\n');
      for (const p of people) process.stdout.write(`  ${p.name.padEnd(6)} ${p.api.openUrl}\n`);
      process.stdout.write(
        opts.ready
          ? '\nAlice and Bob already know each other: pick the other in the list and write.\n'
          : '\nIn each tab create an identity (Incognito), then copy one ID ("My ID") into the other\'s "Add contact".\n',
      );
      process.stdout.write('Both use the default "relayed" setting: neither sees the other\'s IP, and no relay sees both. Ctrl-C stops everything and deletes the demo data.\n');
      const stop = async () => {
        for (const p of people) {
          await p.api.close();
          await p.daemon.close();
        }
        await net.stop();
        rmSync(root, { recursive: true, force: true });
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
