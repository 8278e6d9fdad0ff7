import type { Command } from 'commander';
import { parseId } from '../../identity/index.js';
import { openHome } from '../../store/index.js';
import { MessageOps, NodeError } from '../../node/index.js';
import { ApiClient, ApiClientError, apiToken, readApiInfo, toMessage, type Message } from '../../api/index.js';
import { emit } from '../output.js';
import { serviceFor } from '../service.js';
import { CliError, withHome, withJson, type CommonOpts } from '../common.js';
import { FileRemoval } from '../../node/files-remove.js';

/*
 * `parley delete`, `parley disappear`, `parley outbox cancel|retry` (and the message lookup `parley reply` uses). Through the
 * running daemon's API when `parley run` serves the home (the open UI sees the change at once),
 * otherwise on the store; a running `parley run --no-ui` delivers what this puts in the outbox.
 */

const TIMER_WORDS: Record<string, number> = { off: 0, '5m': 300, '1h': 3600, '1d': 86_400, '1w': 604_800 };

/** A timer as a person reads it: "1 hour". */
export function timerText(seconds: number): string {
  const names: Record<number, string> = { 0: 'off', 300: '5 minutes', 3600: '1 hour', 86_400: '1 day', 604_800: '1 week' };
  return names[seconds] ?? `${seconds} seconds`;
}

/** What these commands ask of Parley, the same whether a daemon serves the home or not. */
interface Messaging {
  setDisappearing(contactId: string, seconds: number): Promise<Message>;
  delete(messageId: string, everyone: boolean): Promise<Message | null>;
  clearConversation(contactId: string): Promise<number>;
  cancel(messageId: string): Promise<void>;
  retry(messageId: string): Promise<void>;
}

function messagingFor(home: string): Messaging {
  const api = readApiInfo(home);
  if (api) {
    const client = new ApiClient(api.url, apiToken(home));
    const call = async <T>(p: Promise<T>): Promise<T> => {
      try {
        return await p;
      } catch (err) {
        if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
        throw CliError.DAEMON_GONE();
      }
    };
    return {
      setDisappearing: (id, s) => call(client.setDisappearing(id, s)),
      delete: async (id, everyone) => (await call(client.deleteMessage(id, everyone))).message,
      clearConversation: async (id) => (await call(client.clearConversation(id))).deleted,
      cancel: async (id) => void (await call(client.cancelOutbox(id))),
      retry: async (id) => void (await call(client.retryOutbox(id))),
    };
  }
  const withOps = async <T>(fn: (ops: MessageOps) => T): Promise<T> => {
    const { db } = openHome(home);
    try {
      const files = new FileRemoval({ db, home, removed: () => {} });
      return fn(
        new MessageOps({ db, now: Date.now, kick: () => {}, onRemoved: () => {}, onUpdated: () => {}, onCleared: (id) => files.clearConversation(id) }),
      );
    } finally {
      db.close();
    }
  };
  return {
    setDisappearing: (id, s) => withOps((ops) => toMessage(ops.setDisappearing(id, s), null)),
    delete: (id, everyone) =>
      withOps((ops) => {
        const row = ops.delete(id, everyone);
        return row ? toMessage(row, null) : null;
      }),
    clearConversation: (id) => withOps((ops) => ops.clearConversation(id).length),
    cancel: (id) => withOps((ops) => ops.cancel(id)),
    retry: (id) => withOps((ops) => ops.retry(id)),
  };
}

/** A message by its ID or the first 8 or more characters of it (as `history` and `outbox` print them). */
export async function messageOf(home: string, input: string): Promise<Message> {
  const prefix = input.trim().toLowerCase();
  if (!/^[0-9a-f]{8,32}$/.test(prefix)) throw NodeError.NO_SUCH_MESSAGE();
  const found = (await serviceFor(home).history(undefined, 100_000)).filter((m) => m.id.startsWith(prefix));
  if (found.length > 1) throw CliError.AMBIGUOUS_MESSAGE(prefix);
  if (!found[0]) throw NodeError.NO_SUCH_MESSAGE();
  return found[0];
}

export function registerMessaging(program: Command): void {
  withJson(withHome(program.command('delete [message-id]')))
    .description('delete a message for you (--everyone: one you sent, for them too), or a whole conversation on this device (--conversation)')
    .option('--everyone', 'also ask the contact to delete it (only a message you sent)')
    .option('--conversation <contact>', 'delete every message of the conversation with this contact, on this device only')
    .action(async (messageId: string | undefined, opts: CommonOpts & { everyone?: boolean; conversation?: string }) => {
      const parley = messagingFor(opts.home);
      if (opts.conversation !== undefined) {
        const n = await parley.clearConversation(parseId(opts.conversation));
        return emit(!!opts.json, { deleted: n }, () => `Deleted the conversation on this device (${n} messages).`);
      }
      if (messageId === undefined) throw NodeError.NO_SUCH_MESSAGE();
      const m = await messageOf(opts.home, messageId);
      const gone = await parley.delete(m.id, !!opts.everyone);
      emit(!!opts.json, { message: gone }, () =>
        opts.everyone
          ? 'Deleted for everyone: its words are gone here, and the contact is asked to delete it (it waits in your outbox until they confirm).'
          : 'Deleted on this device.',
      );
    });

  withJson(withHome(program.command('disappear <contact> <timer>')))
    .description('set disappearing messages for a conversation, for both sides: off, 5m, 1h, 1d or 1w')
    .action(async (contact: string, timer: string, opts: CommonOpts) => {
      const seconds = TIMER_WORDS[timer.trim().toLowerCase()];
      if (seconds === undefined) throw NodeError.BAD_TIMER();
      const m = await messagingFor(opts.home).setDisappearing(parseId(contact), seconds);
      emit(!!opts.json, m, () =>
        seconds
          ? `Disappearing messages: ${timerText(seconds)}, for you and the contact (they are told).`
          : 'Disappearing messages are off (the contact is told).',
      );
    });
}

/**
 * `parley outbox cancel <id>` and `parley outbox retry <id>`, under the `outbox` command. `--home`
 * and `--json` are the outbox command's (commander gives them to the parent wherever they stand).
 */
export function registerOutboxActions(outbox: Command): void {
  const optsOf = (cmd: Command) => cmd.optsWithGlobals<CommonOpts>();
  outbox
    .command('cancel <message-id>')
    .description('stop sending a waiting message and delete it (if it already reached them, they keep it)')
    .action(async (messageId: string, _o: unknown, cmd: Command) => {
      const opts = optsOf(cmd);
      const m = await messageOf(opts.home, messageId);
      await messagingFor(opts.home).cancel(m.id);
      emit(!!opts.json, { cancelled: m.id }, () => 'Cancelled: the message is deleted and will not be sent.');
    });
  outbox
    .command('retry <message-id>')
    .description('try a waiting message again now')
    .action(async (messageId: string, _o: unknown, cmd: Command) => {
      const opts = optsOf(cmd);
      const m = await messageOf(opts.home, messageId);
      await messagingFor(opts.home).retry(m.id);
      emit(!!opts.json, { retrying: m.id }, () => 'Trying again now (your running Parley delivers it).');
    });
}
