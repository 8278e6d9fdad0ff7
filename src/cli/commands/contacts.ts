import type { Command } from 'commander';
import { Option } from 'commander';
import { join } from 'node:path';
import { readId, parseId, groupedId } from '../../identity/index.js';
import { openDb, listContacts, setVisibility, setContactState, setContactName, type Db } from '../../store/index.js';
import { addContact, NodeError } from '../../node/index.js';
import { emit } from '../output.js';
import { withHome, withJson, type CommonOpts } from '../common.js';

const VISIBILITY_HELP = {
  direct: 'this contact can see your IP address (fastest: device to device)',
  relayed: 'this contact never sees your IP address: your traffic leaves through your relay',
};

function withDb<T>(home: string, fn: (db: Db, selfId: string) => T): T {
  const selfId = readId(home);
  const db = openDb(join(home, 'parley.db'));
  try {
    return fn(db, selfId);
  } finally {
    db.close();
  }
}

export function registerContacts(program: Command): void {
  const contact = program.command('contact').description('manage your contacts');

  withJson(withHome(contact.command('add <id-or-link>')))
    .description('add a contact by ID or parley: link')
    .option('--name <name>', 'a name for this contact')
    .addOption(new Option('--visibility <v>', 'who sees your IP (default relayed)').choices(['direct', 'relayed']))
    .action((input: string, opts: CommonOpts & { name?: string; visibility?: 'direct' | 'relayed' }) => {
      const row = withDb(opts.home, (db, self) => {
        const r = addContact(db, self, input, Date.now(), opts.name);
        if (opts.visibility) setVisibility(db, r.id, opts.visibility);
        return { ...r, visibility: opts.visibility ?? r.visibility };
      });
      emit(!!opts.json, row, () => [`Added ${row.name ?? groupedId(parseId(row.id))}.`, `Visibility: ${row.visibility} (${VISIBILITY_HELP[row.visibility]}).`]);
    });

  withJson(withHome(contact.command('list')))
    .description('list contacts and pending requests')
    .action((opts: CommonOpts) => {
      const rows = withDb(opts.home, (db) => listContacts(db));
      emit(!!opts.json, rows, () =>
        rows.length === 0 ? 'No contacts yet. Add one with `parley contact add <ID>`.' : rows.map((r) => `${r.id}  ${r.state.padEnd(8)} ${r.visibility.padEnd(8)} ${r.name ?? ''}`),
      );
    });

  withJson(withHome(contact.command('set <id>')))
    .description('change a contact: visibility, name, blocked')
    .addOption(new Option('--visibility <v>', 'let this contact see your IP address?').choices(['direct', 'relayed']))
    .option('--name <name>', 'rename the contact')
    .option('--block', 'block: drop everything they send')
    .option('--unblock', 'unblock')
    .action((input: string, opts: CommonOpts & { visibility?: 'direct' | 'relayed'; name?: string; block?: boolean; unblock?: boolean }) => {
      const id = parseId(input);
      const row = withDb(opts.home, (db) => {
        const ok = [
          opts.visibility ? setVisibility(db, id, opts.visibility) : true,
          opts.name ? setContactName(db, id, opts.name) : true,
          opts.block ? setContactState(db, id, 'blocked') : true,
          opts.unblock ? setContactState(db, id, 'added') : true,
        ].every(Boolean);
        if (!ok) throw NodeError.UNKNOWN_CONTACT();
        return listContacts(db).find((c) => c.id === id)!;
      });
      emit(!!opts.json, row, () => `${row.name ?? row.id}: ${row.state}, visibility ${row.visibility} (${VISIBILITY_HELP[row.visibility]}).`);
    });
}
