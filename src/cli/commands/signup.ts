import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIdentity, groupedId } from '../../identity/index.js';
import { openDb, type Db } from '../../store/index.js';
import { DhtNode, type MutableLookup, type PutMutableInput } from '../../dht/index.js';
import { addContact } from '../../node/index.js';
import { Signup, SignupError, type Match } from '../../signup/index.js';
import { emit, formatTime } from '../output.js';
import { withHome, withJson, type CommonOpts, type NetOpts } from '../common.js';
import { readTestnet, resolveBootstrap } from '../network.js';

type SignupOpts = CommonOpts & NetOpts & { attestor?: string; region?: string; add?: boolean };

/** A DHT node started on first use only: `signup email` and `status` never touch the network. */
class LazyDht {
  #node: DhtNode | null = null;
  constructor(private readonly opts: NetOpts) {}
  async #get(): Promise<DhtNode> {
    if (!this.#node) {
      this.#node = new DhtNode({ bootstrap: resolveBootstrap(this.opts), host: this.opts.host ?? '127.0.0.1' });
      await this.#node.start();
    }
    return this.#node;
  }
  async putMutable(input: PutMutableInput): Promise<number> {
    return (await this.#get()).putMutable(input);
  }
  async getMutable(publicKey: Buffer, salt: Uint8Array | string): Promise<MutableLookup> {
    return (await this.#get()).getMutable(publicKey, salt);
  }
  async stop(): Promise<void> {
    await this.#node?.stop();
  }
}

async function withSignup<T>(opts: SignupOpts, fn: (s: Signup, db: Db, selfId: string) => Promise<T>): Promise<T> {
  const identity = loadIdentity(opts.home);
  const db = openDb(join(opts.home, 'parley.db'));
  const dht = new LazyDht(opts);
  try {
    return await fn(new Signup({ db, identity, dht }), db, identity.id);
  } finally {
    await dht.stop();
    db.close();
  }
}

/** --attestor, else the running testnet's attestor (for sign-up a URL is needed; lookups also use trusted ones). */
function attestorUrl(opts: SignupOpts, required: boolean): string | undefined {
  const url = opts.attestor ?? readTestnet()?.attestor?.url;
  if (!url && required) throw SignupError.NO_ATTESTOR();
  return url;
}

function withSignupOptions(cmd: Command): Command {
  return withJson(withHome(cmd))
    .option('--attestor <url>', 'the attestor to use and trust (default: the running `parley testnet --attestor`)')
    .option('--bootstrap <host:port...>', 'DHT nodes to join (default: the running `parley testnet`)')
    .addOption(new Option('--network <name>', 'join a public network instead of the local testnet').choices(['mainline']))
    .option('--host <addr>', 'local address for the DHT node', '127.0.0.1');
}

const until = (s: number) => formatTime(s * 1000);
const matchLine = (m: Match) => `${m.name ? `${m.name} ` : ''}<${m.identifier}>  ${groupedId(m.id)}`;

export function registerSignup(program: Command): void {
  const signup = program
    .command('signup')
    .description('become findable by your email address or phone number (you are incognito until you do)')
    .addHelpText(
      'after',
      '\nIncognito: only people you give your ID to can find you.\nEmail or phone: anyone who has your address or number can find your ID and send you a contact request.\nThe attestor sees the address or number once, to send the code, and forgets it; the DHT holds only a keyed hash.',
    );

  withSignupOptions(signup.command('email <address>'))
    .description('send a one-time code to this address; then run `parley signup verify <code>`')
    .action(async (address: string, opts: SignupOpts) => {
      const url = attestorUrl(opts, true)!;
      const r = await withSignup(opts, (s) => s.startSignup({ attestor: url, kind: 'email', identifier: address }));
      emit(!!opts.json, r, () => [`A code is on its way to that address (valid until ${until(r.expiresAt)}).`, 'Finish with `parley signup verify <code>`.']);
    });

  withSignupOptions(signup.command('phone <number>'))
    .description('send a one-time code by SMS; then run `parley signup verify <code>`')
    .option('--region <CC>', 'country for a number in national form, e.g. CH or US')
    .action(async (number: string, opts: SignupOpts) => {
      const url = attestorUrl(opts, true)!;
      const r = await withSignup(opts, (s) =>
        s.startSignup({ attestor: url, kind: 'phone', identifier: number, ...(opts.region ? { region: opts.region } : {}) }),
      );
      emit(!!opts.json, r, () => [`A code is on its way by SMS (valid until ${until(r.expiresAt)}).`, 'Finish with `parley signup verify <code>`.']);
    });

  withSignupOptions(signup.command('verify <code>'))
    .description('send the code you received; on success your attestation is published (and kept alive by `parley run`)')
    .action(async (code: string, opts: SignupOpts) => {
      const r = await withSignup(opts, (s) => s.verifyCode(code));
      emit(!!opts.json, r, () => [
        `Verified. People who have your ${r.kind === 'email' ? 'email address' : 'phone number'} can now find you (until ${until(r.expiresAt)}).`,
        'Keep `parley run` going so it stays published; `parley unlink` withdraws it.',
      ]);
    });

  withJson(withHome(signup.command('status')))
    .description('your attestations: active or withdrawn, and until when')
    .action(async (opts: SignupOpts) => {
      const rows = await withSignup(opts, async (s) => s.status());
      emit(!!opts.json, rows, () =>
        rows.length === 0
          ? 'Incognito: nobody can find you by email or phone.'
          : rows.map((r) => `${r.kind.padEnd(6)} ${r.state.padEnd(10)} until ${until(r.expiresAt)}  ${r.attestor}`),
      );
    });

  withJson(withHome(signup.command('attestors')))
    .description('the attestors you trust (their keys were pinned when you first used them)')
    .action(async (opts: SignupOpts) => {
      const rows = await withSignup(opts, async (s) => s.attestors());
      emit(!!opts.json, rows, () => (rows.length === 0 ? 'No attestor trusted yet.' : rows.map((r) => `${r.url}  signing key ${r.signingKey}`)));
    });

  withJson(withHome(signup.command('forget-attestor <url>')))
    .description('stop trusting an attestor (say, after its operator changed keys and you checked the new ones)')
    .action(async (url: string, opts: SignupOpts) => {
      const forgotten = await withSignup(opts, async (s) => s.forgetAttestor(url));
      emit(!!opts.json, { forgotten }, () =>
        forgotten ? 'Forgotten; it will be trusted again (with its current keys) the next time you name it with --attestor.' : 'That attestor was not trusted.',
      );
    });

  withSignupOptions(program.command('find <email-or-phone>'))
    .description('find who is on Parley under an email address or phone number (the attestor sees it only blinded)')
    .option('--region <CC>', 'country for a number in national form')
    .option('--add', 'add the person found as a contact')
    .action(async (input: string, opts: SignupOpts) => {
      const url = attestorUrl(opts, false);
      const r = await withSignup(opts, async (s, db, self) => {
        const m = await s.lookup(input, { ...(opts.region ? { region: opts.region } : {}), ...(url ? { attestor: url } : {}) });
        if (m && opts.add) addContact(db, self, m.id, Date.now());
        return m;
      });
      emit(!!opts.json, r, () =>
        r ? [`On Parley: ${matchLine(r)}`, opts.add ? 'Added as a contact.' : `Add with \`parley contact add ${r.id}\`.`] : 'Nobody is on Parley under that.',
      );
    });

  withSignupOptions(program.command('import <file>'))
    .description('check an address book (vCard .vcf or CSV) for people on Parley; lookups are blinded, nothing is uploaded in clear')
    .addOption(new Option('--format <f>', 'file format (default: from its content)').choices(['vcf', 'csv']))
    .option('--region <CC>', 'country for numbers in national form')
    .option('--add', 'add everyone found as a contact')
    .action(async (file: string, opts: SignupOpts & { format?: 'vcf' | 'csv' }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw SignupError.BAD_CONTACTS('it cannot be opened');
      }
      const url = attestorUrl(opts, false);
      const progress = progressLine('checked');
      const r = await withSignup(opts, async (s, db, self) => {
        const res = await s.importContacts(text, {
          ...(opts.format ? { format: opts.format } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(url ? { attestor: url } : {}),
          onProgress: progress.update,
        });
        progress.end();
        if (opts.add) for (const m of res.matches) addContact(db, self, m.id, Date.now(), m.name);
        return res;
      });
      const rejected = Object.entries(r.rejected).map(([k, n]) => `${n} ${k.toLowerCase().replace(/_/g, ' ')}`);
      emit(!!opts.json, r, () => [
        `${r.cards} contacts, ${r.checked} addresses and numbers checked${r.invalid ? `, ${r.invalid} not valid` : ''}: ${r.matches.length} on Parley.`,
        ...r.matches.map(matchLine),
        ...(rejected.length ? [`Rejected records (possible forgeries): ${rejected.join(', ')}.`] : []),
      ]);
    });

  withSignupOptions(program.command('unlink'))
    .description('withdraw your email/phone attestations (the attestor signs a tombstone) and go back to incognito')
    .addOption(new Option('--kind <k>', 'withdraw only this one').choices(['email', 'phone']))
    .action(async (opts: SignupOpts & { kind?: 'email' | 'phone' }) => {
      const r = await withSignup(opts, (s) => s.unlink(opts.kind ? { kind: opts.kind } : {}));
      emit(!!opts.json, r, () => [
        ...r.map((x) => `Withdrawn: ${x.kind}.`),
        'Nobody can find you by it any more; keep `parley run` going so the tombstone stays published.',
      ]);
    });
}

/** "checked 200 of 1000" on a terminal's stderr, rewritten in place (stdout stays data only). */
function progressLine(what: string): { update: (done: number, total: number) => void; end: () => void } {
  let shown = false;
  return {
    update(done, total) {
      if (!process.stderr.isTTY) return;
      process.stderr.write(`\r${what} ${done} of ${total}…`);
      shown = true;
    },
    end: () => void (shown && process.stderr.write('\n')),
  };
}
