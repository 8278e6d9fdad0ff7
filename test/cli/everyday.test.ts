import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './harness.js';

/*
 * The command-line edges a newcomer hit: adding someone twice, writing to a contact by name, a send
 * that is not confirmed in time (an exit status a script can read), what `run` fetched at start, and
 * printed commands that run as they are on a home other than the default.
 */
const { root, parley, failing, background, close } = cliHarness('parley-cli-everyday-');
afterAll(close);

const exitOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { code?: number }) => e.code ?? -1,
  );

describe('everyday command-line use', () => {
  it('add twice, send by name, exit 3 while it waits, run prints what it fetched, hints that run as printed', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await background(['testnet', '--dht', '4', '--relays', '2']); // two: with one alone, DHT lookups wait for a second (issue 13 §5)
    await parley('init', '--home', alice, '--name', 'Alice');
    await parley('init', '--home', bob, '--name', 'Bob');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout).id as string;
    const aliceId = JSON.parse((await parley('id', '--home', alice, '--json')).stdout).id as string;

    expect((await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob')).stdout).toMatch(/^Added Bob\./);
    expect((await parley('contact', 'add', '--home', alice, `parley:${bobId}`)).stdout).toMatch(/^Bob is already in your contacts\./);
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');

    // Bob goes online once (his intro record and mailbox are published), then offline.
    const first = await background(['run', '--home', bob, '--no-ui']);
    first.child.kill('SIGTERM');
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(null) : first.child.once('exit', r)));
    // Bob is offline: the message goes to his relay's mailbox, and no receipt comes back in time.
    const waiting = parley('send', '--home', alice, 'bob', 'hello while you were away', '--wait', '15');
    expect(await exitOf(waiting)).toBe(3);
    const out = await waiting.catch((e: { stdout: string }) => e);
    expect((out as { stdout: string }).stdout).toMatch(/Not confirmed yet.*waits in your outbox/);
    expect((await parley('outbox', '--home', alice)).stdout).toMatch(/to Bob: \d+ attempts; sent, waiting for their end-to-end receipt/);

    // Bob starts: what he fetched from the mailbox at start is printed, like anything later.
    const { child } = await background(['run', '--home', bob, '--no-ui'], /hello while you were away/);
    expect(child.exitCode).toBeNull();

    // Now the receipt can come back: the same command exits 0.
    const delivered = await parley('send', '--home', alice, 'BOB', 'and now?', '--wait', '30');
    expect(delivered.stdout).toMatch(/^Delivered, end-to-end encrypted/);

    const noName = await failing('send', '--home', alice, 'carol', 'hi');
    expect(noName.stderr).toMatch(/no contact is named "carol" and it is not a Parley ID/);
    const hint = (await parley('safety', '--home', alice, bobId)).stdout;
    expect(hint).toContain(`parley safety ${bobId} --home ${alice} --verify`);
  }, 180_000);
});
