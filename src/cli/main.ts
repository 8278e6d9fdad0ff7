import { Command } from 'commander';
import { fail, onStray } from './output.js';
import { registerIdentity } from './commands/identity.js';
import { registerContacts } from './commands/contacts.js';
import { registerMessages } from './commands/messages.js';
import { registerTestnet } from './commands/testnet.js';
import { registerDemo } from './commands/demo.js';
import { registerRelay } from './commands/relay.js';
import { registerAttestor } from './commands/attestor.js';
import { registerSignup } from './commands/signup.js';

const program = new Command('parley')
  .description('Private chat: find people through the Mainline DHT, talk end-to-end encrypted, choose who sees your IP.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerIdentity(program);
registerContacts(program);
registerMessages(program);
registerTestnet(program);
registerDemo(program);
registerRelay(program);
registerAttestor(program);
registerSignup(program);

process.on('unhandledRejection', onStray);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('commander.')) process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1);
  fail(err);
}
