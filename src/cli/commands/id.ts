import type { Command } from 'commander';
import { IdentityError } from '../../identity/errors.js';
import { linkOf, parseId, type ParleyId } from '../../identity/id.js';
import { readPublicId } from '../../identity/public-id.js';
import { emit } from '../output.js';
import { withHome, withJson, type CommonOpts } from '../options.js';

/*
 * `parley id`: the ID from identity.json, derived without libsignal (identity/public-id.ts), so it
 * prints in about the time Node takes to start. Only --json (which adds the display name) opens the
 * database, and only a sealed home asks the running Parley; each loads its modules when it needs them.
 */
export function registerId(program: Command): void {
  withJson(withHome(program.command('id')))
    .description('print your Parley ID and parley: link')
    .action(async (opts: CommonOpts) => {
      const json = !!opts.json;
      let id: ParleyId | null = readPublicId(opts.home);
      let name = '';
      if (id === null) {
        // A locked home's ID and name are sealed on disk: the running Parley knows them once unlocked.
        const me = await fromDaemon(opts.home);
        id = parseId(me.id);
        name = me.name;
      } else if (json) {
        name = await profileName(opts.home);
      }
      emit(json, { id, link: linkOf(id), name }, () => [id, linkOf(id)]);
    });
}

async function fromDaemon(home: string): Promise<{ id: string; name: string }> {
  const [{ readApiInfo }, { daemonMe }] = await Promise.all([import('../../api/token.js'), import('./identity.js')]);
  if (!readApiInfo(home)) throw IdentityError.LOCKED();
  const me = await daemonMe(home);
  if (!me) throw IdentityError.LOCKED();
  return me;
}

async function profileName(home: string): Promise<string> {
  const [{ openDb }, { dbPath }, { getKv }, { KV }] = await Promise.all([
    import('../../store/db.js'),
    import('../../store/home.js'),
    import('../../store/kv.js'),
    import('../../node/kv-keys.js'),
  ]);
  const db = openDb(dbPath(home));
  try {
    return getKv(db, KV.profileName) ?? '';
  } finally {
    db.close();
  }
}
