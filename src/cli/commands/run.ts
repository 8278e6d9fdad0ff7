import type { Command } from 'commander';
import type { MessageRow } from '../../store/index.js';
import type { ParleyNode } from '../../node/index.js';
import { Daemon, apiToken, removeApiInfo, startApi, toMessage, writeApiInfo, type ApiEvent, type Message } from '../../api/index.js';
import { markServing } from '../output.js';
import { readTestnet } from '../network.js';
import { DISK_NOT_PROTECTED } from './identity.js';
import { line } from './messages.js';
import { readPassphrase, wantsPassphrase, withPassphrase, type PassOpts } from '../passphrase.js';
import { CliError, nodeOptionsFrom, positiveInt, startNode, stopNode, withHome, withNetwork, type CommonOpts, type NetOpts } from '../common.js';
import { lockOwner } from '../../node/lock.js';

/*
 * `parley run`: ready, as a person feels it, once the store is open and the web UI/API listens (the
 * ready line); the network (DHT bootstrap, relays, publishing) comes up in the background and says
 * so in a line of its own, `Online: …`, or why it did not. What is sent meanwhile waits in the
 * outbox and goes once the network is up.
 */

/** The line `parley run` prints once the network part of the start is up (tests and scripts wait for it). */
export const ONLINE_LINE = 'Online: joined the DHT, reached your relays and published your intro record; the outbox is being delivered.';

type RunOpts = CommonOpts & NetOpts & PassOpts & { ui: boolean; uiPort?: string; attestor?: string };

/**
 * `onReady` runs once the ready lines are out (the launcher saves V8's code cache then: what a start
 * compiles up to ready, and nothing the network part compiles after it).
 */
export function registerRun(program: Command, onReady: () => void = () => {}): void {
  withPassphrase(withNetwork(withHome(program.command('run'))), 'unlock the identity at start')
    .description('stay online: receive messages, deliver the outbox, keep your DHT records fresh, and serve the web UI on 127.0.0.1')
    .option('--ui-port <n>', 'port of the web UI and API on 127.0.0.1 (default: any free port)')
    .option('--no-ui', 'no web UI or API: messages only print here')
    .option('--attestor <url>', 'the attestor the web UI offers for email/phone sign-up (default: the running `parley testnet --attestor`)')
    .action(async (opts: RunOpts) => {
      const passphrase = wantsPassphrase(opts) ? await readPassphrase('Passphrase: ', opts.passphraseFile) : undefined;
      if (!opts.ui) return runHeadless(opts, passphrase, onReady);
      return runWithUi(opts, passphrase, onReady);
    });
}

/** Prints how the network part of a node's start ends: the online line, or the sentence saying why not (stderr). */
function reportNetwork(node: ParleyNode): void {
  const report = () => {
    const net = node.network();
    if (net.state === 'up') process.stdout.write(`${ONLINE_LINE}\n`);
    if (net.state === 'failed') process.stderr.write(`parley: ${net.problem}\n`);
  };
  node.on('network', report);
  report(); // it may have ended already
}

async function runWithUi(opts: RunOpts, passphrase: string | undefined, onReady: () => void): Promise<void> {
  const attestor = opts.attestor ?? readTestnet()?.attestor?.url;
  const daemon = new Daemon({ home: opts.home, node: nodeOptionsFrom(opts), networkInBackground: true, ...(attestor ? { attestor } : {}) });
  if (lockOwner(opts.home) !== null) throw CliError.BUSY(opts.home);
  // The node appears now, or later when the web UI creates or unlocks the identity.
  let reported: ParleyNode | null = null;
  let ready = false;
  const watch = () => {
    const node = daemon.node;
    if (!ready || !node || node === reported) return;
    reported = node;
    reportNetwork(node);
  };
  const said = (m: Message) => `message from ${m.contactId.slice(0, 8)}: ${m.body}\n`;
  daemon.on('event', (e: ApiEvent) => {
    if (e.type === 'message') process.stdout.write(said(e.message));
    if (e.type === 'state') watch();
  });
  await daemon.open();
  if (passphrase !== undefined && daemon.state().status === 'locked') await daemon.unlock(passphrase);
  const api = await startApi({ daemon, token: apiToken(opts.home), port: positiveInt('--ui-port', opts.uiPort, 0) });
  writeApiInfo(opts.home, api.url);
  markServing();
  const stop = stopped(); // before the ready lines: a Ctrl-C right after them stops cleanly
  const status = daemon.state();
  process.stdout.write(
    status.status === 'running'
      ? `Parley is running for ${status.me!.id} (Ctrl-C to stop).\n`
      : status.status === 'locked'
        ? 'Parley is running; your identity is locked: open the web UI to unlock it.\n'
        : 'Parley is running with no identity yet: open the web UI to create one (or use `parley init`).\n',
  );
  if (status.status === 'running' && !status.diskProtected) process.stdout.write(`${DISK_NOT_PROTECTED}\n`);
  process.stdout.write(`Web UI: ${api.openUrl}\n  (the link carries this device's access token: keep it to yourself)\n`);
  ready = true;
  onReady();
  watch(); // after the ready lines: the network's line follows them
  await stop;
  removeApiInfo(opts.home);
  await api.close();
  await daemon.close();
}

async function runHeadless(opts: CommonOpts & NetOpts, passphrase: string | undefined, onReady: () => void): Promise<void> {
  const node = await startNode(opts, passphrase !== undefined ? { passphrase } : {}, { local: true });
  markServing();
  const stop = stopped();
  // Attached before the network part can deliver anything: every arrival is printed, once.
  const names = () => new Map(node.contacts().map((c) => [c.id, c.name ?? c.id.slice(0, 8)]));
  node.on('message', (m: MessageRow) => process.stdout.write(line(toMessage(m, null), names()) + '\n'));
  node.on('delivered', (m: MessageRow) => process.stdout.write(`delivered ${m.id.slice(0, 8)} to ${names().get(m.contact_id)}\n`));
  process.stdout.write(`Parley is running for ${node.id} (Ctrl-C to stop).\n`);
  if (passphrase === undefined) process.stdout.write(`${DISK_NOT_PROTECTED}\n`);
  onReady();
  reportNetwork(node);
  await stop;
  await stopNode(node);
}

function stopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
