import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './harness.js';

const { root, parley, failing, background, close } = cliHarness('parley-cli-');
afterAll(close);

describe('the README command-line flow', () => {
  it('testnet, init, id, contact add, run, send, history', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    // Before any network exists, commands say what to do instead of failing obscurely.
    await parley('init', '--home', alice, '--name', 'Alice');
    const noNet = await failing('run', '--home', alice);
    expect(noNet.stderr).toMatch(/no network to join.*parley testnet/);

    await background(['testnet', '--dht', '4', '--relays', '2']);
    await parley('init', '--home', bob, '--name', 'Bob');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout);
    expect(bobId.id).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    expect(bobId.link).toBe(`parley:${bobId.id}`);
    const aliceId = JSON.parse((await parley('id', '--home', alice, '--json')).stdout).id;

    await parley('contact', 'add', '--home', alice, bobId.link, '--name', 'Bob'); // relayed: the default
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background(['run', '--home', bob]);

    const sent = JSON.parse((await parley('send', '--home', alice, bobId.id, 'hello from the command line', '--json')).stdout);
    expect(sent.state).toBe('delivered');
    // Both hide their IP: my relay → their relay (or one shared relay, which the receipt then says).
    expect(sent.route.route === 'two-relays' || (sent.route.route === 'one-relay' && sent.route.sameRelay)).toBe(true);
    expect(sent.route.sees).toContainEqual({ party: 'contact', ips: [] });

    const history = JSON.parse((await parley('history', '--home', bob, '--json')).stdout);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: sent.id, body: 'hello from the command line', direction: 'in', contactId: aliceId, state: 'received' });
    expect((await parley('outbox', '--home', alice)).stdout).toMatch(/outbox is empty/);
    // Bob's line shows the whole way: Alice's relay then his (or the one relay they share).
    const way = sent.route.sameRelay
      ? /received; one-relay \(my-relay\); my-relay sees your IP and their IP/
      : /received; two-relays \(their-relay → my-relay\)/;
    expect((await parley('history', '--home', bob)).stdout).toMatch(new RegExp(`hello from the command line .*${way.source}.*as their device stated it`));

    // Safety numbers: the same on both sides, whether read from the store (Alice) or through Bob's running daemon.
    const alicesNumber = JSON.parse((await parley('safety', '--home', alice, bobId.id, '--json')).stdout);
    const bobsNumber = JSON.parse((await parley('safety', '--home', bob, aliceId, '--json')).stdout);
    expect(alicesNumber.number).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(bobsNumber).toMatchObject({ number: alicesNumber.number, verified: false, keyChanged: false });
    expect((await parley('safety', '--home', alice, bobId.id)).stdout).toMatch(
      /Safety number with Bob:\n {2}\d{5} \d{5} \d{5} \d{5}\n[\s\S]*Not verified: compare it with Bob/,
    );
    expect((await parley('safety', '--home', alice, bobId.id, '--verify')).stdout).toMatch(/Verified\./);
    expect(JSON.parse((await parley('contact', 'list', '--home', alice, '--json')).stdout)).toEqual([
      expect.objectContaining({ id: bobId.id, verified: true }),
    ]);
    expect((await failing('safety', '--home', alice, bobId.id, '--verify', '--unverify')).stderr).toMatch(/cannot be used with/);

    // Strangers who write become requests: Bob accepts one and declines the other (through his daemon).
    const strangers: string[] = [];
    for (const name of ['Dan', 'Erin']) {
      const home = join(root, name.toLowerCase());
      strangers.push(JSON.parse((await parley('init', '--home', home, '--name', name, '--json')).stdout).id);
      await parley('contact', 'add', '--home', home, bobId.id);
      expect(JSON.parse((await parley('send', '--home', home, bobId.id, `hello, ${name} here`, '--wait', '45', '--json')).stdout).state).toBe('delivered');
    }
    const [dan, erin] = strangers as [string, string];
    const listed = (await parley('contact', 'list', '--home', bob)).stdout;
    expect(listed).toMatch(new RegExp(`${dan}\\s+request`));
    expect(listed).toMatch(/Requests: `parley contact accept <ID>` or `parley contact decline <ID>`/);
    expect(JSON.parse((await parley('contact', 'accept', '--home', bob, dan, '--json')).stdout)).toMatchObject({ id: dan, state: 'added' });
    expect((await parley('contact', 'decline', '--home', bob, erin)).stdout).toMatch(/Declined/);
    const after = JSON.parse((await parley('contact', 'list', '--home', bob, '--json')).stdout).map((c: { id: string; state: string }) => [c.id, c.state]);
    expect(after).toContainEqual([dan, 'added']);
    expect(after.map(([id]: [string]) => id)).not.toContain(erin);
    expect(JSON.parse((await parley('history', '--home', bob, erin, '--json')).stdout)).toEqual([]);
    expect((await failing('contact', 'decline', '--home', bob, erin)).stderr).toMatch(/no pending contact request/);
  }, 120_000);

  it('answers bad input with one clear sentence and no stack trace', async () => {
    const home = join(root, 'carol');
    await parley('init', '--home', home);
    const dup = await failing('init', '--home', home);
    const stranger = JSON.parse((await parley('init', '--home', join(root, 'stranger'), '--json')).stdout).id;
    expect((await failing('safety', '--home', home, stranger)).stderr).toMatch(/^parley: .*(not in your contacts|unknown contact|not a contact)/im);
    expect(dup.stderr).toMatch(/already holds a Parley identity/);
    const badId = await failing('contact', 'add', '--home', home, 'not-an-id');
    expect(badId.stderr).toMatch(/not a Parley ID/);
    const unknown = await failing('send', '--home', home, 'y'.repeat(52), 'hi', '--bootstrap', '127.0.0.1:9');
    expect(unknown.stderr).toMatch(/not in your contacts/);
    const noHome = await failing('id', '--home', join(root, 'nobody-here'));
    expect(noHome.stderr).toMatch(/no Parley identity in .*nobody-here; create one with `parley init --home <dir>`\n$/);
    for (const e of [dup, badId, unknown, noHome]) {
      expect(e.code).toBe(1);
      expect(e.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
