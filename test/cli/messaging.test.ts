import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './harness.js';
import { until } from '../helpers/until.js';

/*
 * Replies, deletes, disappearing timers and the outbox's cancel from the command line: Alice's home
 * is served by `parley run` (the commands go through its API), Bob's by `parley run --no-ui` (the
 * commands write his store, his running node delivers).
 */
const { root, parley, failing, background, close } = cliHarness('parley-cli-messaging-');
afterAll(close);

interface Msg {
  id: string;
  body: string;
  kind: string;
  replyTo: { id: string; quote: string | null } | null;
}
const historyOf = async (home: string): Promise<Msg[]> => JSON.parse((await parley('history', '--home', home, '--json')).stdout) as Msg[];

describe('replies, deletes, timers and the outbox from the command line', () => {
  it('reply quotes, delete --everyone leaves a tombstone there, delete removes here, disappear tells both, outbox cancel stops a message nobody can take', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    const carol = join(root, 'carol');
    await background(['testnet', '--dht', '4', '--relays', '2']); // two: with one alone, DHT lookups wait for a second (issue 13 §5)
    for (const [home, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [carol, 'Carol'],
    ] as const)
      await parley('init', '--home', home, '--name', name);
    const idOf = async (home: string) => JSON.parse((await parley('id', '--home', home, '--json')).stdout).id as string;
    const [aliceId, bobId, carolId] = [await idOf(alice), await idOf(bob), await idOf(carol)];
    await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob');
    await parley('contact', 'add', '--home', alice, carolId, '--name', 'Carol'); // Carol never goes online
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background(['run', '--home', alice]);
    await background(['run', '--home', bob, '--no-ui']);

    const question = JSON.parse((await parley('send', '--home', alice, 'bob', 'where is the spare key', '--wait', '45', '--json')).stdout) as Msg;
    await until(async () => ((await historyOf(bob)).some((m) => m.id === question.id) ? true : undefined), 'the question to reach Bob');

    // Bob replies by the 8 characters `history` shows.
    expect((await parley('history', '--home', bob)).stdout).toContain(`${question.id.slice(0, 8)} Alice: where is the spare key`);
    const answered = await parley('reply', '--home', bob, question.id.slice(0, 8), 'under the blue flowerpot', '--wait', '45');
    expect(answered.stdout).toMatch(/^Delivered/);
    const reply = await until(async () => (await historyOf(alice)).find((m) => m.body === 'under the blue flowerpot'), 'the reply to reach Alice');
    expect(reply.replyTo).toEqual({ id: question.id, quote: 'where is the spare key' });
    expect((await parley('history', '--home', alice)).stdout).toContain(
      `[reply to ${question.id.slice(0, 8)}: "where is the spare key"] under the blue flowerpot`,
    );

    // Only the sender can delete for everyone; then Bob's copy is a tombstone and the quote is gone.
    expect((await failing('delete', '--home', bob, question.id, '--everyone')).stderr).toMatch(/only a message you sent can be deleted for everyone/);
    expect((await parley('delete', '--home', alice, question.id, '--everyone')).stdout).toMatch(/^Deleted for everyone/);
    await until(async () => ((await historyOf(bob)).find((m) => m.id === question.id)?.kind === 'deleted' ? true : undefined), 'the delete to reach Bob');
    expect((await parley('history', '--home', bob)).stdout).toContain('(this message was deleted)');
    expect((await historyOf(bob)).find((m) => m.body === 'under the blue flowerpot')?.replyTo).toEqual({ id: question.id, quote: null });

    // Delete for me: gone from Bob's device only.
    const bobsReply = (await historyOf(bob)).find((m) => m.body === 'under the blue flowerpot')!;
    expect((await parley('delete', '--home', bob, bobsReply.id)).stdout).toMatch(/^Deleted on this device/);
    expect((await historyOf(bob)).some((m) => m.id === bobsReply.id)).toBe(false);
    expect((await historyOf(alice)).some((m) => m.id === bobsReply.id)).toBe(true);

    // A timer set by Alice is announced on both sides.
    expect((await parley('disappear', '--home', alice, bobId, '1h')).stdout).toMatch(/^Disappearing messages: 1 hour, for you and the contact/);
    await until(async () => ((await historyOf(bob)).some((m) => m.kind === 'timer') ? true : undefined), 'the timer to reach Bob');
    expect((await parley('history', '--home', bob)).stdout).toContain('Alice: (set disappearing messages to 1 hour)');
    expect((await failing('disappear', '--home', alice, bobId, '2h')).stderr).toMatch(/can be off, 5 minutes, 1 hour, 1 day or 1 week/);

    // A message to Carol, whose ID no Parley has announced, says so and can be cancelled.
    const waiting = JSON.parse(
      (await failing('send', '--home', alice, 'carol', 'are you there', '--wait', '1', '--json').then(() => parley('outbox', '--home', alice, '--json')))
        .stdout,
    ) as Array<{ messageId: string }>;
    const id = waiting[0]!.messageId;
    await until(
      async () => ((await parley('outbox', '--home', alice)).stdout.includes('nobody uses this ID right now') ? true : undefined),
      'the outbox to say why',
    );
    expect((await parley('outbox', '--home', alice)).stdout).toContain(`${id.slice(0, 8)} to Carol`);
    expect((await parley('outbox', 'cancel', id.slice(0, 8), '--home', alice)).stdout).toMatch(/^Cancelled/);
    expect((await parley('outbox', '--home', alice)).stdout).toMatch(/The outbox is empty/);
    expect((await historyOf(alice)).some((m) => m.id === id)).toBe(false);
  }, 420_000); // about 25 commands, each a process of its own: minutes on a loaded machine
});
