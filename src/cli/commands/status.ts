import type { Command } from 'commander';
import { hasIdentity, isLocked, readId } from '../../identity/index.js';
import { openDb, dbPath } from '../../store/index.js';
import { lockOwner, relayViews } from '../../node/index.js';
import { ApiClient, ApiClientError, apiToken, readApiInfo, type Network, type Relay } from '../../api/index.js';
import { emit } from '../output.js';
import { CliError, withHome, withJson, type CommonOpts } from '../common.js';
import { DISK_NOT_PROTECTED, DISK_PROTECTED, daemonState } from './identity.js';
import { describeRelay } from './relays.js';

const NAT: Record<NonNullable<Network['nat']>, string> = {
  none: 'none (this machine has the public address)',
  stable: 'keeps one port per socket (endpoint-independent mapping)',
  'changes-ports': 'changes ports for every destination (symmetric)',
  unknown: 'unknown (only one relay answered)',
};

const NETWORK_STATE: Record<Network['state'], string> = {
  off: 'off',
  starting: 'connecting (joining the DHT, reaching your relay, publishing your intro record); what you send waits in the outbox meanwhile',
  up: 'connected',
  failed: 'not connected',
};

async function networkOf(url: string, home: string): Promise<Network> {
  try {
    return await new ApiClient(url, apiToken(home)).network();
  } catch (err) {
    if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
    throw CliError.DAEMON_GONE();
  }
}

/** The network part of `status`: what the running Parley sees (to this person only: nothing here is published). */
function networkLines(net: Network | null, served: boolean, serving: boolean, relays: Relay[]): string[] {
  if (!net) {
    const why =
      serving && !served ? 'a Parley serves this home without its API (`run --no-ui`): it shows no network details' : 'not connected (start `parley run`)';
    const known = relays.filter((r) => r.uses.length);
    return [`Network: ${why}`, ...(known.length ? ['Relays used last time:', ...known.map(describeRelay)] : [])];
  }
  const pub = net.publicAddress ? `${net.publicAddress.host}:${net.publicAddress.port} (as your relay sees you; shown to you only)` : 'unknown';
  return [
    `Network: ${NETWORK_STATE[net.state]}${net.problem ? `: ${net.problem}` : ''}`,
    `DHT:     ${net.dhtNodes} nodes known`,
    `Relays:  ${net.relaysInUse.length ? `${net.relaysInUse.length} in use` : 'none in use: messages to `relayed` contacts wait in the outbox'}`,
    ...net.relaysInUse.map(describeRelay),
    net.listening ? `Listening for direct connections on ${net.listening.host}:${net.listening.port}` : 'Not listening for direct connections yet',
    `Public address: ${pub}`,
    `NAT:     ${net.nat ? NAT[net.nat] : 'not known yet'}`,
    `Direct:  ${net.direct.possible ? 'possible' : 'not possible'}: ${net.direct.why}`,
  ];
}

export function registerStatus(program: Command): void {
  withJson(withHome(program.command('status')))
    .description('your ID, whether a Parley serves this home, whether the disk is protected, and how you are connected')
    .action(async (opts: CommonOpts) => {
      const present = hasIdentity(opts.home);
      const diskProtected = present && isLocked(opts.home);
      const api = readApiInfo(opts.home);
      const served = api !== null;
      const serving = served || lockOwner(opts.home) !== null;
      // Without a passphrase the ID is on disk: a daemon that does not answer costs only the network lines.
      const state =
        present && served
          ? await daemonState(opts.home).catch((err: unknown) => {
              if (diskProtected) throw err;
              return null;
            })
          : null;
      const id = !present ? null : !diskProtected ? readId(opts.home) : (state?.me?.id ?? null);
      const network = api && state?.status === 'running' ? await networkOf(api.url, opts.home) : null;
      const relays = present && !diskProtected && !network ? storedRelays(opts.home) : [];
      const dhtTraffic = state?.dhtTraffic ?? null;
      emit(!!opts.json, { home: opts.home, id, serving, diskProtected, dhtTraffic, network }, () =>
        !present
          ? `No identity in ${opts.home} yet: create one with \`parley init --passphrase\`.`
          : [
              `ID:      ${id ?? 'sealed with your passphrase (unlock to see it)'}`,
              `Running: ${serving ? 'yes, a Parley serves this home' : 'no'}`,
              diskProtected ? DISK_PROTECTED : DISK_NOT_PROTECTED,
              ...(dhtTraffic ? [dhtTraffic.sentence] : []),
              ...networkLines(network, served, serving, relays),
            ],
      );
    });
}

function storedRelays(home: string): Relay[] {
  const db = openDb(dbPath(home));
  try {
    return relayViews(db);
  } finally {
    db.close();
  }
}
