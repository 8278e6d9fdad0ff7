import { Command } from 'commander';
import { fail, onStray } from './output.js';

/**
 * The `parley` program: `register` adds the commands this command line needs, then the line is
 * parsed and run; any failure becomes one sentence (output.ts), never a stack trace. Shared by the
 * whole CLI (main.ts) and by `parley run`'s own entry (run-main.ts), so both parse alike.
 */
export async function runProgram(register: (program: Command) => void | Promise<void>): Promise<void> {
  const program = new Command('parley')
    .description('Private chat: find people through the Mainline DHT, talk end-to-end encrypted, choose who sees your IP.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await register(program);
  process.on('unhandledRejection', onStray);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('commander.')) process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1);
    fail(err);
  }
}
