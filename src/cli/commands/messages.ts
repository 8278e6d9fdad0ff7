import type { Command } from 'commander';
import { join } from 'node:path';
import { loadIdentity, parseId } from '../../identity/index.js';
import { openDb, type MessageRow } from '../../store/index.js';
import { lockOwner, queueMessage } from '../../node/index.js';
import type { RouteReceipt } from '../../routing/receipt.js';
import { emit, formatTime } from '../output.js';
import { serviceFor } from '../service.js';
import { messageOf, registerOutboxActions, timerText } from './messaging.js';
import { CliError, positiveInt, startNode, stopNode, withHome, withJson, withNetwork, type CommonOpts, type NetOpts } from '../common.js';
import { ApiClient, ApiClientError, apiToken, messageView, readApiInfo, receiptCircumstances, type Message } from '../../api/index.js';

export function describeRoute(r: RouteReceipt | null): string {
  if (!r) return 'not sent yet';
  const hops = r.hops.join(' → ');
  const sees = r.sees.map((s) => `${s.party} sees ${s.ips.length ? s.ips.map((i) => (i === 'mine' ? 'your IP' : 'their IP')).join(' and ') : 'no IP'}`);
  const same = r.sameRelay ? '; both ends use the same relay, which sees both IPs' : '';
  const reported = r.senderReported ? "; the sender's half as their device stated it" : '';
  const why = r.reason ? `; ${r.reason}` : '';
  return `${r.route} (${hops}); ${sees.join('; ')}${same}${reported}${why}`;
}

/** The receipt's lookup, detour and warnings, in the web UI's words, each on a line of its own under the message. */
function circumstances(m: Message, name: string): string {
  return m.route
    ? receiptCircumstances(m.route, name)
        .map((s) => `\n    ${s}`)
        .join('')
    : '';
}

export function line(m: Message, names: Map<string, string>): string {
  const name = names.get(m.contactId) ?? m.contactId.slice(0, 8);
  const who = m.direction === 'out' ? 'me' : name;
  const waits = m.waitingBecause ? `, ${m.waitingBecause}` : '';
  const said = m.kind === 'text' ? m.body : m.kind === 'deleted' ? '(this message was deleted)' : `(set disappearing messages to ${timerText(m.timer ?? 0)})`;
  const reply = m.replyTo ? `[reply to ${m.replyTo.id.slice(0, 8)}: "${m.replyTo.quote ?? 'a deleted message'}"] ` : '';
  return `[${formatTime(m.sentAt)}] ${m.id.slice(0, 8)} ${who}: ${reply}${said}   (${m.state}${waits}; ${describeRoute(m.route)})${circumstances(m, name)}`;
}

/** Reads one message as the API shows it, once it is delivered or `seconds` have passed. */
async function waitForState(home: string, messageId: string, seconds: number): Promise<Message> {
  const db = openDb(join(home, 'parley.db'));
  try {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const m = messageView(db, messageId)!;
      if (m.state === 'delivered' || Date.now() >= deadline) return m;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    db.close();
  }
}

/** Exit code of `send` when the message was stored but not confirmed within --wait (nothing is lost). */
export const EXIT_WAITING = 3;

/** A contact by ID, parley: link or name (a name must match exactly one contact, ignoring case). */
export async function contactIdOf(home: string, input: string): Promise<string> {
  try {
    return parseId(input);
  } catch (err) {
    const named = (await serviceFor(home).contacts()).filter((c) => c.name !== null && c.name.toLowerCase() === input.trim().toLowerCase());
    if (named.length === 1) return named[0]!.id;
    if (named.length > 1)
      throw CliError.AMBIGUOUS_NAME(
        input,
        named.map((c) => c.id.slice(0, 8)),
      );
    if (/^(parley:)?[a-z0-9]{40,}$/i.test(input.trim())) throw err; // meant as an ID: say what is wrong with it
    throw CliError.NO_SUCH_NAME(input);
  }
}

/** Prints the outcome of a send and sets the exit code: 0 delivered, EXIT_WAITING still in the outbox. */
async function reportSend(json: boolean, home: string, m: Message, waiting: string): Promise<void> {
  const name = json || m.state !== 'delivered' ? '' : ((await serviceFor(home).contacts()).find((c) => c.id === m.contactId)?.name ?? m.contactId.slice(0, 8));
  emit(json, m, () => (m.state === 'delivered' ? `Delivered, end-to-end encrypted: ${describeRoute(m.route)}.${circumstances(m, name)}` : waiting));
  if (m.state !== 'delivered') process.exitCode = EXIT_WAITING;
}

export function registerMessages(program: Command): void {
  withNetwork(withJson(withHome(program.command('send <to> <text>'))))
    .description('send a message to a contact (by ID, parley: link or name); it waits in the outbox until the contact confirms it')
    .option('--wait <seconds>', 'how long to wait for the delivery receipt', '20')
    .addHelpText(
      'after',
      `\nExit status: 0 when delivered (the contact's end-to-end receipt came back), ${EXIT_WAITING} when the message still waits in your outbox after --wait (it is kept and delivered later), 1 or 2 on an error.`,
    )
    .action(async (input: string, text: string, opts: SendOpts) => sendCommand(await contactIdOf(opts.home, input), text, opts));

  withNetwork(withJson(withHome(program.command('reply <message-id> <text>'))))
    .description('reply to a message (by its ID, or the first 8 characters `history` shows): the reply quotes it')
    .option('--wait <seconds>', 'how long to wait for the delivery receipt', '20')
    .action(async (messageId: string, text: string, opts: SendOpts) => {
      const original = await messageOf(opts.home, messageId);
      await sendCommand(original.contactId, text, opts, original.id);
    });

  withJson(withHome(program.command('history [id]')))
    .description('show messages, with how each travelled')
    .option('--limit <n>', 'at most this many (newest)', '1000')
    .action(async (id: string | undefined, opts: CommonOpts & { limit: string }) => {
      const limit = positiveInt('--limit', opts.limit, 1000);
      if (limit === 0) throw CliError.BAD_NUMBER('--limit');
      const parley = serviceFor(opts.home);
      const rows = await parley.history(id === undefined ? undefined : parseId(id), limit);
      const names = new Map((await parley.contacts()).map((c) => [c.id, c.name ?? c.id.slice(0, 8)]));
      emit(!!opts.json, rows, () => (rows.length ? rows.map((m) => line(m, names)) : 'No messages yet.'));
    });

  const outbox = withJson(withHome(program.command('outbox')));
  registerOutboxActions(outbox);
  outbox.description('list messages waiting for delivery, and why they wait (`outbox cancel <id>`, `outbox retry <id>`)').action(async (opts: CommonOpts) => {
    const parley = serviceFor(opts.home);
    const rows = await parley.outbox();
    const names = rows.length ? new Map((await parley.contacts()).map((c) => [c.id, c.name ?? c.id.slice(0, 8)])) : new Map<string, string>();
    emit(!!opts.json, rows, () =>
      rows.length
        ? rows.map((r) => `${r.messageId.slice(0, 8)} to ${names.get(r.contactId) ?? r.contactId.slice(0, 8)}: ${r.attempts} attempts; ${r.waitingBecause}`)
        : 'The outbox is empty: nothing waits for delivery.',
    );
  });
}

export type SendOpts = CommonOpts & NetOpts & { wait: string };

/** Sends (or, with `replyTo`, replies) and reports the outcome: what `send` and `reply` do. */
export async function sendCommand(to: string, text: string, opts: SendOpts, replyTo?: string): Promise<void> {
  const wait = positiveInt('--wait', opts.wait, 20);
  const api = readApiInfo(opts.home);
  if (api) return sendThroughApi(api.url, opts.home, to, text, wait, !!opts.json, replyTo); // the running daemon (and its UI) does it
  const self = loadIdentity(opts.home);
  // Outbox first: the message is stored before any network work, whoever delivers it.
  const db = openDb(join(opts.home, 'parley.db'));
  let id: string;
  try {
    id = queueMessage(db, self.id, to, text, Date.now(), { replyTo }).id;
  } finally {
    db.close();
  }
  // A node already serving this home (`parley run --no-ui`) delivers it; else one started here.
  const served = lockOwner(opts.home) !== null;
  if (!served) {
    const node = await startNode(opts);
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait * 1000);
        node.on('delivered', (m: MessageRow) => {
          if (m.id !== id) return;
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      await stopNode(node);
    }
  }
  // Read back from the store: delivered by the node started here or by the one already running.
  const m = await waitForState(opts.home, id, served ? wait : 0);
  await reportSend(
    !!opts.json,
    opts.home,
    m,
    `Not confirmed yet${m.waitingBecause ? ` (${m.waitingBecause})` : ''}: the message waits in your outbox and is delivered when you run \`parley run\` and the contact is reachable.`,
  );
}

/** `send` when a daemon serves this home: through its API, exactly as the web UI sends. */
async function sendThroughApi(url: string, home: string, to: string, text: string, wait: number, json: boolean, replyTo?: string): Promise<void> {
  const client = new ApiClient(url, apiToken(home));
  const id = parseId(to);
  let m: Message;
  try {
    m = await client.send(id, text, replyTo);
    const deadline = Date.now() + wait * 1000;
    while (m.state !== 'delivered' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      m = (await client.messages(id, { limit: 200 })).find((x) => x.id === m.id) ?? m;
    }
  } catch (err) {
    if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
    throw err;
  }
  await reportSend(
    json,
    home,
    m,
    `Not confirmed yet: the message waits in your outbox${m.waitingBecause ? ` (${m.waitingBecause})` : ''}; your running Parley delivers it.`,
  );
}
