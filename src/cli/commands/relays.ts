import type { Command } from 'commander';
import { openHome } from '../../store/index.js';
import { markRelay, relayViews, type RelayView } from '../../node/index.js';
import { ApiClient, ApiClientError, apiToken, readApiInfo, type Relay } from '../../api/index.js';
import { emit } from '../output.js';
import { CliError, withHome, withJson, type CommonOpts } from '../common.js';

type Mark = 'pin' | 'unpin' | 'exclude' | 'include';
const MARKS: Record<Mark, string> = {
  pin: 'Pinned: it is your guard relay from the next start of Parley.',
  unpin: 'Unpinned: Parley chooses your guard relay itself again from the next start.',
  exclude: 'Excluded: Parley never uses this relay (if it is your guard now, another one is chosen at the next start).',
  include: 'No longer excluded: Parley may use this relay again.',
};
const USES: Record<Relay['uses'][number], string> = {
  guard: 'guard (sees your IP)',
  'intro-mailbox': 'intro mailbox',
  'dht-exit': 'DHT exit (sees the IDs you look up, not your IP)',
};

/** Through the running Parley when one serves the home (it is the one writer), else the store. */
async function relaysOf(home: string, mark?: { publicKey: string; mark: Mark }): Promise<Relay[]> {
  const api = readApiInfo(home);
  if (api) {
    const client = new ApiClient(api.url, apiToken(home));
    try {
      return mark ? await client.markRelay(mark.publicKey, mark.mark) : await client.relays();
    } catch (err) {
      if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
      throw CliError.DAEMON_GONE();
    }
  }
  const { db } = openHome(home);
  try {
    if (mark) markRelay(db, mark.publicKey, mark.mark);
    return relayViews(db);
  } finally {
    db.close();
  }
}

export function describeRelay(r: RelayView | Relay): string {
  const rtt = r.excluded
    ? 'excluded'
    : r.rttMs !== null && r.failuresInARow === 0
      ? `${r.rttMs} ms`
      : r.failuresInARow
        ? `failing (${r.failuresInARow}x)`
        : 'not measured';
  const uses = r.uses.map((u) => USES[u]).join(', ');
  const flags = [r.pinned ? 'pinned' : '', r.source === 'named' ? 'named by you' : 'found in the DHT'].filter(Boolean).join(', ');
  return `${r.uses.length ? '*' : ' '} ${r.host}:${r.port}  ${r.publicKey}  ${rtt}${uses ? `  in use: ${uses}` : ''}  (${flags})`;
}

export function registerRelays(program: Command): void {
  withJson(withHome(program.command('relays [action] [key]')))
    .description(
      'relays you know (found in the DHT or named by you), their latency and what you use them for; `pin`, `unpin`, `exclude` or `include` a relay by key',
    )
    .addHelpText(
      'after',
      '\nActions:\n  relays                list known relays (* = in use)\n  relays pin KEY        always use this relay as your guard (from the next start)\n  relays unpin KEY      let Parley choose again\n  relays exclude KEY    never use this relay\n  relays include KEY    undo exclude\nAdd a relay of your own with `parley run --relay host:port:key`.',
    )
    .action(async (action: string | undefined, key: string | undefined, opts: CommonOpts) => {
      if (action === undefined || action === 'list') {
        const relays = await relaysOf(opts.home);
        return emit(!!opts.json, relays, () =>
          relays.length
            ? [`${relays.length} relays known:`, ...relays.map(describeRelay)]
            : 'No relay known yet: `parley run` looks for relays in the DHT (or name one with --relay).',
        );
      }
      if (!(action in MARKS)) throw CliError.BAD_RELAY_ACTION(action);
      if (!key || !/^[A-Za-z0-9+/]{43}=$/.test(key)) throw CliError.BAD_RELAY_KEY(key ?? '');
      const relays = await relaysOf(opts.home, { publicKey: key, mark: action as Mark });
      emit(!!opts.json, relays, () => MARKS[action as Mark]);
    });
}
