import type { Command } from 'commander';
import { Option } from 'commander';
import { parseId, groupedId } from '../../identity/index.js';
import type { Contact } from '../../api/index.js';
import { emit } from '../output.js';
import { serviceFor } from '../service.js';
import { defaultHome, withHome, withJson, type CommonOpts } from '../common.js';

/** ` --home <dir>` when the command ran on another home than the default, so a printed command runs as is. */
const homeFlag = (home: string) => (home === defaultHome() ? '' : ` --home ${/^[\w./-]+$/.test(home) ? home : `'${home.replace(/'/g, `'\\''`)}'`}`);

const VISIBILITY_HELP = {
  direct: 'this contact can see your IP address (fastest: device to device)',
  relayed: 'this contact never sees your IP address: your traffic leaves through your relay',
};

const nameOf = (c: Contact) => c.name ?? groupedId(parseId(c.id));

export function registerContacts(program: Command): void {
  const contact = program.command('contact').description('manage your contacts');

  withJson(withHome(contact.command('add <id-or-link>')))
    .description('add a contact by ID or parley: link')
    .option('--name <name>', 'a name for this contact')
    .addOption(new Option('--visibility <v>', 'who sees your IP (default relayed)').choices(['direct', 'relayed']))
    .action(async (input: string, opts: CommonOpts & { name?: string; visibility?: 'direct' | 'relayed' }) => {
      const parley = serviceFor(opts.home);
      const before = (await parley.contacts()).find((c) => c.id === parseId(input));
      let row = await parley.addContact(input, opts.name);
      if (opts.visibility && opts.visibility !== row.visibility) row = await parley.patchContact(row.id, { visibility: opts.visibility });
      const said =
        before?.state === 'request'
          ? `Added ${nameOf(row)}: they had written to you first, and their request is accepted.`
          : before
            ? `${nameOf(row)} is already in your contacts${opts.name && before.name !== opts.name ? `; renamed from ${before.name ?? 'no name'}` : ''}.`
            : `Added ${nameOf(row)}.`;
      emit(!!opts.json, row, () => [said, `Visibility: ${row.visibility} (${VISIBILITY_HELP[row.visibility]}).`]);
    });

  withJson(withHome(contact.command('list')))
    .description('list contacts and pending requests')
    .action(async (opts: CommonOpts) => {
      const rows = await serviceFor(opts.home).contacts();
      emit(!!opts.json, rows, () =>
        rows.length === 0
          ? 'No contacts yet. Add one with `parley contact add <ID>`.'
          : [
              ...rows.map(
                (r) =>
                  `${r.id}  ${r.state.padEnd(8)} ${r.visibility.padEnd(8)} ${r.verified ? 'verified ' : ''}${r.keyChanged ? 'KEY CHANGED ' : ''}${r.name ?? ''}`,
              ),
              ...(rows.some((r) => r.state === 'request') ? ['Requests: `parley contact accept <ID>` or `parley contact decline <ID>`.'] : []),
            ],
      );
    });

  withJson(withHome(contact.command('accept <id>')))
    .description('accept a contact request (someone who wrote to you first)')
    .action(async (input: string, opts: CommonOpts) => {
      const row = await serviceFor(opts.home).accept(parseId(input));
      emit(!!opts.json, row, () => [`Accepted ${nameOf(row)}.`, `Visibility: ${row.visibility} (${VISIBILITY_HELP[row.visibility]}).`]);
    });

  withJson(withHome(contact.command('decline <id>')))
    .description('decline a contact request: it and what they sent are deleted (they are not told)')
    .action(async (input: string, opts: CommonOpts) => {
      const id = parseId(input);
      await serviceFor(opts.home).decline(id);
      emit(!!opts.json, { declined: id }, () => 'Declined: the request and what they sent are deleted.');
    });

  withJson(withHome(contact.command('set <id>')))
    .description('change a contact: visibility, name, blocked')
    .addOption(new Option('--visibility <v>', 'let this contact see your IP address?').choices(['direct', 'relayed']))
    .option('--name <name>', 'rename the contact')
    .option('--block', 'block: drop everything they send')
    .option('--unblock', 'unblock')
    .action(async (input: string, opts: CommonOpts & { visibility?: 'direct' | 'relayed'; name?: string; block?: boolean; unblock?: boolean }) => {
      const row = await serviceFor(opts.home).patchContact(parseId(input), {
        ...(opts.visibility ? { visibility: opts.visibility } : {}),
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.block ? { blocked: true } : opts.unblock ? { blocked: false } : {}),
      });
      emit(!!opts.json, row, () => `${nameOf(row)}: ${row.state}, visibility ${row.visibility} (${VISIBILITY_HELP[row.visibility]}).`);
    });

  withJson(withHome(program.command('safety <id>')))
    .description('show the safety number you and a contact both see; compare it in person or on a call you trust, then --verify')
    .addOption(new Option('--verify', 'mark the number verified (only after comparing it with them)').conflicts('unverify'))
    .option('--unverify', 'mark it not verified')
    .option('--accept-new-key', 'accept the new key this contact offered (only once they confirmed they reinstalled)')
    .action(async (input: string, opts: CommonOpts & { verify?: boolean; unverify?: boolean; acceptNewKey?: boolean }) => {
      const id = parseId(input);
      const parley = serviceFor(opts.home);
      if (opts.acceptNewKey) await parley.acceptNewKey(id);
      if (opts.verify || opts.unverify) await parley.setVerified(id, !!opts.verify);
      const [contact] = (await parley.contacts()).filter((c) => c.id === id);
      const s = await parley.safety(id);
      const name = contact ? nameOf(contact) : groupedId(id);
      emit(!!opts.json, s, () => {
        const groups = s.number.split(' ');
        const rows = [0, 4, 8].map((i) => `  ${groups.slice(i, i + 4).join(' ')}`);
        const status = s.keyPending
          ? [
              `WARNING: ${name} offered a NEW key. Their messages are held back until you accept it.`,
              'Accept it only if they confirm (in person or on a call you trust) that they reinstalled:',
              `  parley safety ${id}${homeFlag(opts.home)} --accept-new-key`,
            ]
          : s.keyChanged
            ? [`${name}'s key changed since you last verified it: compare the new number with them before trusting it.`]
            : s.verified
              ? ['Verified.']
              : [`Not verified: compare it with ${name} in person or on a call you trust, then run`, `  parley safety ${id}${homeFlag(opts.home)} --verify`];
        return [`Safety number with ${name}:`, ...rows, ...status];
      });
    });
}
