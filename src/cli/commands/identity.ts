import { Argument, type Command } from 'commander';
import { Identity, IdentityError, groupedId, hasIdentity, isLocked, linkOf, saveIdentity, setPassphrase } from '../../identity/index.js';
import { openHome, setKv } from '../../store/index.js';
import { KV, lockOwner, reachableByStrangers, setReachableByStrangers } from '../../node/index.js';
import { ApiClient, ApiClientError, apiToken, readApiInfo, type State } from '../../api/index.js';
import { emit } from '../output.js';
import { CliError, withHome, withJson, type CommonOpts } from '../common.js';
import { readNewPassphrase, readPassphrase, wantsPassphrase, withPassphrase, type PassOpts } from '../passphrase.js';

/** What `status` and the UI say about the disk, in one place. */
export const DISK_NOT_PROTECTED =
  'The disk is NOT protected: without a passphrase, your messages, contacts and keys are stored in clear in this home; anyone with this computer can read them. Set one with `parley passphrase`.';
export const DISK_PROTECTED =
  'The disk is protected: your identity and your database (messages, contacts, keys, search index) are encrypted with your passphrase.';

/** What "reachable directly by strangers" means, on or off, in one sentence each. */
export const STRANGERS_ON =
  'Reachable directly by strangers: ON. Your public intro record names your IP address: anyone who knows your ID can learn where you are and connect to this device.';
export const STRANGERS_OFF =
  'Reachable directly by strangers: off. Your IP address is in no public record; strangers reach you only through your relay (contacts you set to direct still connect directly).';

export async function daemonState(home: string): Promise<State> {
  try {
    return await new ApiClient(readApiInfo(home)!.url, apiToken(home)).state();
  } catch (err) {
    if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
    throw CliError.DAEMON_GONE();
  }
}

/** Who the running Parley of a sealed home is, once unlocked (`parley id` asks it). */
export async function daemonMe(home: string): Promise<State['me']> {
  return (await daemonState(home)).me;
}

export function registerIdentity(program: Command): void {
  withPassphrase(withJson(withHome(program.command('init'))), 'protect the identity and the database with a passphrase')
    .description('create a new incognito identity: keys only, no personal data')
    .option('--name <name>', 'display name shown to your contacts', '')
    .action(async (opts: CommonOpts & PassOpts & { name: string }) => {
      const passphrase = wantsPassphrase(opts) ? await readNewPassphrase(opts.passphraseFile) : undefined;
      const identity = Identity.generate();
      saveIdentity(opts.home, identity, passphrase !== undefined ? { passphrase } : {});
      const { db } = openHome(opts.home, passphrase);
      setKv(db, KV.profileName, opts.name);
      db.close();
      emit(!!opts.json, { id: identity.id, link: linkOf(identity.id), name: opts.name, home: opts.home, diskProtected: passphrase !== undefined }, () => [
        `Created an incognito identity in ${opts.home}.`,
        'Only people you give your ID to can find you.',
        `Your ID:  ${groupedId(identity.id)}`,
        `Link:     ${linkOf(identity.id)}`,
        passphrase !== undefined ? DISK_PROTECTED : DISK_NOT_PROTECTED,
      ]);
    });

  withJson(withHome(program.command('passphrase')))
    .description('set a passphrase (or change it): it seals your identity and encrypts the database at rest')
    .option('--passphrase-file <path>', 'the current passphrase: read from the first line of this file (else asked, or read from standard input)')
    .option('--new-passphrase-file <path>', 'the new passphrase: read from the first line of this file (else asked twice, or the next line of standard input)')
    .action(async (opts: CommonOpts & { passphraseFile?: string; newPassphraseFile?: string }) => {
      if (!hasIdentity(opts.home)) throw IdentityError.NO_IDENTITY(opts.home);
      if (lockOwner(opts.home) !== null) throw CliError.BUSY(opts.home);
      const current = isLocked(opts.home) ? await readPassphrase('Current passphrase: ', opts.passphraseFile) : undefined;
      const next = await readNewPassphrase(opts.newPassphraseFile);
      setPassphrase(opts.home, current, next);
      openHome(opts.home, next).db.close(); // re-encrypts the database now, not at the next unlock
      emit(!!opts.json, { diskProtected: true }, () => [current === undefined ? 'The passphrase is set.' : 'The passphrase is changed.', DISK_PROTECTED]);
    });

  withPassphrase(withJson(withHome(program.command('unlock'))), 'the passphrase')
    .description('unlock the identity in the running `parley run` for this home')
    .action(async (opts: CommonOpts & PassOpts) => {
      const api = readApiInfo(opts.home);
      if (!api) throw CliError.NOT_SERVED(opts.home);
      const passphrase = await readPassphrase('Passphrase: ', opts.passphraseFile);
      try {
        const state = await new ApiClient(api.url, apiToken(opts.home)).unlock(passphrase);
        emit(!!opts.json, state, () => `Unlocked: Parley is ${state.status} for ${state.me?.id ?? 'this home'}.`);
      } catch (err) {
        if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
        throw CliError.DAEMON_GONE();
      }
    });

  withPassphrase(withJson(withHome(program.command('strangers'))), 'the passphrase, when the home is locked and no Parley serves it')
    .description('show or set whether strangers may reach you directly (off by default: turning it on publishes your IP address)')
    .addArgument(new Argument('[choice]', 'on or off; without it, shows the setting').choices(['on', 'off']))
    .action(async (choice: 'on' | 'off' | undefined, opts: CommonOpts & PassOpts) => {
      const on = await strangers(opts, choice === undefined ? undefined : choice === 'on');
      emit(!!opts.json, { reachableByStrangers: on }, () => (on ? STRANGERS_ON : STRANGERS_OFF));
    });
}

/** Reads, or sets and returns, the setting: through the running Parley (it republishes at once), else in the store. */
async function strangers(opts: CommonOpts & PassOpts, on: boolean | undefined): Promise<boolean> {
  if (!hasIdentity(opts.home)) throw IdentityError.NO_IDENTITY(opts.home);
  const api = readApiInfo(opts.home);
  if (api) {
    const client = new ApiClient(api.url, apiToken(opts.home));
    try {
      return on === undefined ? (await client.me()).reachableByStrangers : (await client.setReachableByStrangers(on)).reachableByStrangers;
    } catch (err) {
      if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
      throw CliError.DAEMON_GONE();
    }
  }
  if (lockOwner(opts.home) !== null) throw CliError.BUSY(opts.home);
  const passphrase = isLocked(opts.home) ? await readPassphrase('Passphrase: ', opts.passphraseFile) : undefined;
  const { db } = openHome(opts.home, passphrase);
  try {
    if (on !== undefined) setReachableByStrangers(db, on);
    return reachableByStrangers(db);
  } finally {
    db.close();
  }
}
