import { Command } from 'commander';
import { fail, onStray } from './output.js';
import { registerFor } from './commands/index.js';

const program = new Command('parley')
  .description('Private chat: find people through the Mainline DHT, talk end-to-end encrypted, choose who sees your IP.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

await registerFor(program, process.argv.slice(2));

process.on('unhandledRejection', onStray);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('commander.')) process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1);
  fail(err);
}
