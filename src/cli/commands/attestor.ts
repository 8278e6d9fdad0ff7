import type { Command } from 'commander';
import { attestorMain } from '../../attestor/main.js';
import { markServing } from '../output.js';

export function registerAttestor(program: Command): void {
  program
    .command('attestor')
    .description('run an attestor: proves control of an email address or phone number and signs attestations; keeps no list of who signed up (`parley attestor --help`)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      markServing();
      try {
        await attestorMain(args);
      } catch (err) {
        process.stderr.write(`parley attestor: ${err instanceof Error ? err.message : 'could not start'} (see \`parley attestor --help\`)\n`);
        process.exit(1);
      }
    });
}
