import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './harness.js';
import { receiptCircumstances } from '../../src/api/receipt-words.js';
import type { Message } from '../../src/api/schema.js';

/*
 * Issue 13 §8 on the command line: the route receipt's record, where the lookup left from, and its
 * warnings are printed by `send` and `history` in the same words the web UI's receipt dialog uses
 * (one function, so the two cannot disagree), not only in `--json`.
 */
const idOf = async (parley: ReturnType<typeof cliHarness>['parley'], home: string) =>
  JSON.parse((await parley('id', '--home', home, '--json')).stdout).id as string;

describe('the route receipt in words, on the command line', () => {
  const { root, parley, background, close } = cliHarness('parley-cli-receipt-');
  afterAll(close);

  it('send and history say which record found Bob and which relay the lookup left from', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await background(['testnet', '--dht', '4', '--relays', '2']); // two: a lookup leaves through the relay that is not my own
    await parley('init', '--home', alice, '--name', 'Alice');
    await parley('init', '--home', bob, '--name', 'Bob');
    const [aliceId, bobId] = [await idOf(parley, alice), await idOf(parley, bob)];
    await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob');
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background(['run', '--home', bob, '--no-ui']);

    const sent = await parley('send', '--home', alice, 'Bob', 'the documents are ready', '--wait', '45');
    expect(sent.stdout).toMatch(/^Delivered, end-to-end encrypted/);
    expect(sent.stdout).toMatch(/Bob's reach came from .*, looked up through relay 127\.\d+\.\d+\.\d+:\d+: DHT nodes saw that relay's address, not yours\./);

    const history = (await parley('history', '--home', alice)).stdout;
    const [m] = (JSON.parse((await parley('history', '--home', alice, '--json')).stdout) as Message[]).filter((x) => x.body === 'the documents are ready');
    const words = receiptCircumstances(m!.route!, 'Bob');
    expect(words.length).toBeGreaterThan(0);
    for (const sentence of words) {
      expect(sent.stdout).toContain(sentence);
      expect(history).toContain(`\n    ${sentence}`);
    }
  }, 180_000);
});

describe('a receipt warning, on the command line', () => {
  const { root, parley, background, close } = cliHarness('parley-cli-receipt-warning-');
  afterAll(close);

  it('with no relay, a lookup from my own address is said as a warning by send and history', async () => {
    const carol = join(root, 'carol');
    const dave = join(root, 'dave');
    await background(['testnet', '--dht', '4', '--relays', '0']);
    await parley('init', '--home', carol, '--name', 'Carol');
    await parley('init', '--home', dave, '--name', 'Dave');
    await parley('strangers', '--home', dave, 'on'); // with no relay, only his published address reaches him
    const [carolId, daveId] = [await idOf(parley, carol), await idOf(parley, dave)];
    await parley('contact', 'add', '--home', carol, daveId, '--name', 'Dave', '--visibility', 'direct');
    await parley('contact', 'add', '--home', dave, carolId, '--name', 'Carol', '--visibility', 'direct');
    await background(['run', '--home', dave, '--no-ui']);

    const warning = "Warning: the lookup left from your own address, because you have no relay: DHT nodes could tie your address to your ID and to Dave's.";
    const sent = await parley('send', '--home', carol, 'Dave', 'straight to you', '--wait', '45');
    expect(sent.stdout).toMatch(/^Delivered, end-to-end encrypted: direct/);
    expect(sent.stdout).toContain(warning);
    expect((await parley('history', '--home', carol)).stdout).toContain(`straight to you   (delivered; direct`);
    expect((await parley('history', '--home', carol)).stdout).toContain(`\n    ${warning}`);
  }, 180_000);
});
