import type { Command } from 'commander';

/*
 * Every top-level command, what `parley --help` says of it, and the module that defines it, loaded
 * only when that command runs: `parley --help` loads commander alone and `parley id` the identity
 * and the store, not libsignal's network stack, fastify and the mailers (issue 14: start at once).
 * test/cli/commands.test.ts checks this list against what the modules really register.
 */

type Register = (program: Command) => void;

export const MODULES = {
  identity: async (): Promise<Register> => (await import('./identity.js')).registerIdentity,
  id: async (): Promise<Register> => (await import('./id.js')).registerId,
  status: async (): Promise<Register> => (await import('./status.js')).registerStatus,
  relays: async (): Promise<Register> => (await import('./relays.js')).registerRelays,
  contacts: async (): Promise<Register> => (await import('./contacts.js')).registerContacts,
  messages: async (): Promise<Register> => (await import('./messages.js')).registerMessages,
  run: async (): Promise<Register> => (await import('./run.js')).registerRun,
  messaging: async (): Promise<Register> => (await import('./messaging.js')).registerMessaging,
  testnet: async (): Promise<Register> => (await import('./testnet.js')).registerTestnet,
  demo: async (): Promise<Register> => (await import('./demo.js')).registerDemo,
  relay: async (): Promise<Register> => (await import('./relay.js')).registerRelay,
  attestor: async (): Promise<Register> => (await import('./attestor.js')).registerAttestor,
  signup: async (): Promise<Register> => (await import('./signup.js')).registerSignup,
  files: async (): Promise<Register> => (await import('./files.js')).registerFiles,
};

export interface CommandEntry {
  name: string;
  /** The arguments as help shows them. */
  args: string;
  /** Whether the command has options of its own (help shows `[options]`). */
  options: boolean;
  module: keyof typeof MODULES;
  summary: string;
}

const entry = (name: string, args: string, options: boolean, module: keyof typeof MODULES, summary: string): CommandEntry => ({
  name,
  args,
  options,
  module,
  summary,
});

export const COMMANDS: CommandEntry[] = [
  entry('init', '', true, 'identity', 'create a new incognito identity: keys only, no personal data'),
  entry('id', '', true, 'id', 'print your Parley ID and parley: link'),
  entry('passphrase', '', true, 'identity', 'set a passphrase (or change it): it seals your identity and encrypts the database at rest'),
  entry('unlock', '', true, 'identity', 'unlock the identity in the running `parley run` for this home'),
  entry(
    'strangers',
    '[choice]',
    true,
    'identity',
    'show or set whether strangers may reach you directly (off by default: turning it on publishes your IP address)',
  ),
  entry('status', '', true, 'status', 'your ID, whether a Parley serves this home, whether the disk is protected, and how you are connected'),
  entry(
    'relays',
    '[action] [key]',
    true,
    'relays',
    'relays you know (found in the DHT or named by you), their latency and what you use them for; `pin`, `unpin`, `exclude` or `include` a relay by key',
  ),
  entry('contact', '', false, 'contacts', 'manage your contacts'),
  entry('safety', '<id>', true, 'contacts', 'show the safety number you and a contact both see; compare it in person or on a call you trust, then --verify'),
  entry(
    'send',
    '<to> <text>',
    true,
    'messages',
    'send a message to a contact (by ID, parley: link or name); it waits in the outbox until the contact confirms it',
  ),
  entry('reply', '<message-id> <text>', true, 'messages', 'reply to a message (by its ID, or the first 8 characters `history` shows): the reply quotes it'),
  entry('history', '[id]', true, 'messages', 'show messages, with how each travelled'),
  entry('outbox', '', true, 'messages', 'list messages waiting for delivery, and why they wait (`outbox cancel <id>`, `outbox retry <id>`)'),
  entry('run', '', true, 'run', 'stay online: receive messages, deliver the outbox, keep your DHT records fresh, and serve the web UI on 127.0.0.1'),
  entry(
    'delete',
    '[message-id]',
    true,
    'messaging',
    'delete a message for you (--everyone: one you sent, for them too), or a whole conversation on this device (--conversation)',
  ),
  entry('disappear', '<contact> <timer>', true, 'messaging', 'set disappearing messages for a conversation, for both sides: off, 5m, 1h, 1d or 1w'),
  entry('testnet', '', true, 'testnet', 'run a closed local network (DHT nodes on 127.0.0.x, relays on 127.0.2.x) that other commands join by default'),
  entry(
    'demo',
    '',
    true,
    'demo',
    'a self-contained local network (DHT nodes, 2 relays, an attestor) with two people, Alice and Bob, each with a web UI (what `npm start` runs)',
  ),
  entry('relay', '[args...]', false, 'relay', 'run a relay: forwards and stores only ciphertext, keeps no logs of addresses or IDs (`parley relay --help`)'),
  entry(
    'attestor',
    '[args...]',
    false,
    'attestor',
    'run an attestor: proves control of an email address or phone number and signs attestations; keeps no list of who signed up (`parley attestor --help`)',
  ),
  entry('signup', '', false, 'signup', 'become findable by your email address or phone number (you are incognito until you do)'),
  entry('find', '<email-or-phone>', true, 'signup', 'find who is on Parley under an email address or phone number (the attestor sees it only blinded)'),
  entry(
    'import',
    '<file>',
    true,
    'signup',
    'check an address book (vCard .vcf or CSV) for people on Parley; lookups are blinded, nothing is uploaded in clear',
  ),
  entry('unlink', '', true, 'signup', 'withdraw your email/phone attestations (the attestor signs a tombstone) and go back to incognito'),
  entry(
    'send-file',
    '<to> <path>',
    true,
    'files',
    'send a file to a contact (end-to-end encrypted, along the route your setting for them decides), with progress',
  ),
  entry('files', '[contact]', true, 'files', 'list files sent and received, with their progress'),
  entry('save-file', '<id> <dest>', true, 'files', 'decrypt a received (or sent) file to DEST: a new file, or a folder to put it in under its name'),
  entry(
    'delete-file',
    '<id>',
    true,
    'files',
    'delete a file from this device (its bytes, preview and record); with --everyone, a file you sent from theirs too',
  ),
  entry('cancel-file', '<id>', true, 'files', 'stop sending or receiving a file; the other side is told'),
];

/**
 * Registers on `program` what `argv` (the arguments after `parley`) needs: the named command's
 * module (for `parley help <command>` too); for anything else (`--help`, no command, a typo) the
 * list alone, as help shows it, so commander prints the same help or the same error.
 */
export async function registerFor(program: Command, argv: string[]): Promise<void> {
  const first = argv[0] === 'help' ? argv[1] : argv[0];
  const wanted = COMMANDS.find((c) => c.name === first);
  if (wanted) return (await MODULES[wanted.module]())(program);
  for (const c of COMMANDS) {
    const stub = program.command(c.args ? `${c.name} ${c.args}` : c.name).description(c.summary);
    if (c.options) stub.option('--home <dir>');
  }
}

/** Every module registered: the whole program (what the list above must match), in the list's order. */
export async function registerAll(program: Command): Promise<void> {
  for (const load of Object.values(MODULES)) (await load())(program);
  const at = (c: Command) => COMMANDS.findIndex((e) => e.name === c.name());
  (program.commands as Command[]).sort((a, b) => at(a) - at(b));
}
