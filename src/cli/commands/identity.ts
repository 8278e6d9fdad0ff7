import type { Command } from 'commander';
import { Identity, groupedId, linkOf, readId, saveIdentity } from '../../identity/index.js';
import { openDb, setKv, getKv } from '../../store/index.js';
import { KV } from '../../node/index.js';
import { join } from 'node:path';
import { emit } from '../output.js';
import { withHome, withJson, type CommonOpts } from '../common.js';

export function registerIdentity(program: Command): void {
  withJson(withHome(program.command('init')))
    .description('create a new incognito identity: keys only, no personal data')
    .option('--name <name>', 'display name shown to your contacts', '')
    .action((opts: CommonOpts & { name: string }) => {
      const identity = Identity.generate();
      saveIdentity(opts.home, identity);
      const db = openDb(join(opts.home, 'parley.db'));
      setKv(db, KV.profileName, opts.name);
      db.close();
      emit(!!opts.json, { id: identity.id, link: linkOf(identity.id), name: opts.name, home: opts.home }, () => [
        `Created an incognito identity in ${opts.home}.`,
        'Only people you give your ID to can find you.',
        `Your ID:  ${groupedId(identity.id)}`,
        `Link:     ${linkOf(identity.id)}`,
      ]);
    });

  withJson(withHome(program.command('id')))
    .description('print your Parley ID and parley: link')
    .action((opts: CommonOpts) => {
      const id = readId(opts.home);
      const db = openDb(join(opts.home, 'parley.db'));
      const name = getKv(db, KV.profileName) ?? '';
      db.close();
      emit(!!opts.json, { id, link: linkOf(id), name }, () => [id, linkOf(id)]);
    });
}
