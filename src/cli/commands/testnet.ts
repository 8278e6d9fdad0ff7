import type { Command } from 'commander';
import { startTestnet } from '../../testnet/index.js';
import { emit } from '../output.js';
import { positiveInt } from '../common.js';
import { removeTestnetFile, testnetFile, writeTestnetFile } from '../network.js';

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('run a closed local network (DHT nodes on 127.0.0.x, relays on 127.0.2.x) that other commands join by default')
    .option('--dht <n>', 'number of DHT nodes', '8')
    .option('--relays <n>', 'number of relays', '2')
    .option('--json', 'print the network description as JSON')
    .action(async (opts: { dht: string; relays: string; json?: boolean }) => {
      const dhtNodes = positiveInt('--dht', opts.dht, 8);
      const relays = positiveInt('--relays', opts.relays, 2);
      const net = await startTestnet({ dhtNodes: Math.max(1, dhtNodes), relays });
      writeTestnetFile({ bootstrap: net.bootstrap, relays: net.relays ?? [], pid: process.pid });
      emit(!!opts.json, { bootstrap: net.bootstrap, relays: net.relays ?? [], file: testnetFile() }, () => [
        `Local test network up: ${dhtNodes} DHT nodes, ${relays} relays.`,
        `Bootstrap: ${net.bootstrap.join(' ')}`,
        `Other parley commands on this machine join it automatically (see ${testnetFile()}). Ctrl-C to stop.`,
      ]);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      removeTestnetFile();
      await net.stop();
    });
}
