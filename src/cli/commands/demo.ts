import type { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, apiToken, startApi, type RunningApi } from '../../api/index.js';
import { codeIn, startTestnet } from '../../testnet/index.js';
import { positiveInt } from '../common.js';
import { markServing } from '../output.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a self-contained local network (DHT nodes, 2 relays, an attestor) with two people, Alice and Bob, each with a web UI (what `npm start` runs)')
    .option('--ready', 'skip onboarding: Alice and Bob already exist and know each other')
    .option('--ui-port <n>', "port of Alice's web UI; Bob's is the next one (default: any free ports)")
    .action(async (opts: { ready?: boolean; uiPort?: string }) => {
      const uiPort = positiveInt('--ui-port', opts.uiPort, 0);
      const root = mkdtempSync(join(tmpdir(), 'parley-demo-'));
      process.stdout.write(
        'Starting a closed local network: 8 DHT nodes on 127.0.0.x, 2 relays on 127.0.2.x and an attestor (nothing leaves this machine)...\n',
      );
      const net = await startTestnet({ dhtNodes: 8, relays: 2, attestor: true });
      // Sign-up codes would go by email or SMS; in the demo they are caught locally and shown here.
      net.attestor!.sink.on('mail', (m: { to: string[]; raw: string }) =>
        process.stdout.write(`[demo] email code for ${m.to.join(', ')}: ${codeIn(m.raw) ?? '?'}\n`),
      );
      let smsSeen = 0;
      const smsWatch = setInterval(() => {
        let lines: string[] = [];
        try {
          lines = readFileSync(net.attestor!.smsFile, 'utf8').split('\n').filter(Boolean);
        } catch {
          return; // no SMS yet
        }
        for (const line of lines.slice(smsSeen)) {
          const sms = JSON.parse(line) as { to: string; text: string };
          process.stdout.write(`[demo] SMS to ${sms.to}: ${sms.text}\n`);
        }
        smsSeen = lines.length;
      }, 500).unref();
      const people: Array<{ name: string; daemon: Daemon; api: RunningApi }> = [];
      for (const [i, name] of ['Alice', 'Bob'].entries()) {
        const home = join(root, name.toLowerCase());
        const daemon = new Daemon({
          home,
          node: {
            bootstrap: net.bootstrap,
            host: `127.0.0.${100 + i}`,
            // Each person's own relay, and the other one as the home of their mailbox and their DHT
            // exit: with one relay alone, a relayed person's DHT lookups wait for a second (issue 13 §5).
            relays: [net.relays[i]!],
            exitRelays: net.relays.filter((_, j) => j !== i),
            retry: { baseMs: 500, maxMs: 5_000 },
          },
          attestor: net.attestor!.url,
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
          : '\nIn each tab create an identity (Incognito, or with an email address or phone number: the codes appear here), then\n' +
              'copy one ID ("My ID") into the other\'s "Add contact", or find each other by email/phone ("Find friends").\n',
      );
      process.stdout.write(
        'Both use the default "relayed" setting: neither sees the other\'s IP, and no relay sees both. Ctrl-C stops everything and deletes the demo data.\n',
      );
      const stop = async () => {
        clearInterval(smsWatch);
        for (const p of people) {
          await p.api.close();
          await p.daemon.close();
        }
        await net.stop();
        rmSync(root, { recursive: true, force: true });
        process.exit(0);
      };
      markServing();
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
