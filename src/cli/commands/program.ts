import type { Command } from 'commander';
import { markServing } from '../output.js';

/**
 * A program of its own behind a `parley` subcommand (relay, attestor): its main parses its own flags
 * (and `--help`); a start failure is one sentence naming the command, never a stack.
 */
export function registerProgram(program: Command, name: string, description: string, main: (args: string[]) => Promise<unknown>): void {
  program
    .command(name)
    .description(`${description} (\`parley ${name} --help\`)`)
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      markServing();
      try {
        await main(args);
      } catch (err) {
        // The program's start errors are about its flags; say which.
        process.stderr.write(`parley ${name}: ${err instanceof Error ? err.message : 'could not start'} (see \`parley ${name} --help\`)\n`);
        process.exit(1);
      }
    });
}
