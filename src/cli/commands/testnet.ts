import type { Command } from 'commander';
import { startTestnet, codeIn } from '../../testnet/index.js';
import { emit, markServing } from '../output.js';
import { positiveInt } from '../common.js';
import { removeTestnetFile, testnetFile, writeTestnetFile } from '../network.js';

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('run a closed local network (DHT nodes on 127.0.0.x, relays on 127.0.2.x) that other commands join by default')
    .option('--dht <n>', 'number of DHT nodes', '8')
    .option('--relays <n>', 'number of relays', '2')
    .option('--attestor', 'also run an attestor for email/phone sign-up (codes go to a local SMTP sink and an SMS file, printed here)')
    .option('--discover-relays', 'like a public network: hand out no relay list (each relay in its own /16); nodes find the relays in the DHT')
    .option('--json', 'print the network description as JSON')
    .action(async (opts: { dht: string; relays: string; attestor?: boolean; discoverRelays?: boolean; json?: boolean }) => {
      const dhtNodes = positiveInt('--dht', opts.dht, 8);
      const relays = positiveInt('--relays', opts.relays, 2);
      const net = await startTestnet({ dhtNodes: Math.max(1, dhtNodes), relays, attestor: !!opts.attestor, discoverRelays: !!opts.discoverRelays });
      const att = net.attestor ? { url: net.attestor.url, signingKey: net.attestor.signingKey, oprfKey: net.attestor.oprfKey } : undefined;
      writeTestnetFile({ bootstrap: net.bootstrap, relays: net.relays ?? [], ...(att ? { attestor: att } : {}), pid: process.pid });
      // Codes the sink receives are shown here: on a local network this terminal is everyone's inbox.
      net.attestor?.sink.on('mail', (m: { to: string[]; raw: string }) =>
        process.stderr.write(`[testnet mail] code for ${m.to.join(', ')}: ${codeIn(m.raw) ?? '?'}\n`),
      );
      emit(
        !!opts.json,
        {
          bootstrap: net.bootstrap,
          relays: net.relays ?? [],
          ...(net.attestor ? { attestor: { ...att, smsFile: net.attestor.smsFile } } : {}),
          file: testnetFile(),
        },
        () => [
          `Local test network up: ${dhtNodes} DHT nodes, ${relays} relays${net.attestor ? ', an attestor' : ''}.`,
          `Bootstrap: ${net.bootstrap.join(' ')}`,
          ...(net.attestor ? [`Attestor: ${net.attestor.url} (email codes are printed here; SMS codes go to ${net.attestor.smsFile})`] : []),
          `Other parley commands on this machine join it automatically (see ${testnetFile()}). Ctrl-C to stop.`,
        ],
      );
      markServing();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      removeTestnetFile();
      await net.stop();
    });
}
