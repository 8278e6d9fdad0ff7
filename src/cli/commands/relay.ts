import type { Command } from 'commander';
import { relayMain } from '../../relay/main.js';
import { markServing } from '../output.js';

export function registerRelay(program: Command): void {
  program
    .command('relay')
    .description('run a relay: forwards and stores only ciphertext, keeps no logs of addresses or IDs (`parley relay --help`)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      markServing();
      try {
        await relayMain(args);
      } catch (err) {
        // relayMain's errors are about its flags; say which, never with a stack.
        process.stderr.write(`parley relay: ${err instanceof Error ? err.message : 'could not start'} (see \`parley relay --help\`)\n`);
        process.exit(1);
      }
    });
}
