import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './harness.js';
import { until } from '../helpers/until.js';
import { ApiClient, apiToken, readApiInfo, type Network } from '../../src/api/index.js';

/*
 * `parley run` is ready as a person feels it (issue 14): its ready line comes once the store is open
 * and the web UI/API answers; the network comes up in the background and says so (`Online: …`, and
 * `parley status`). What is sent at once waits in the outbox and is delivered when the network is up;
 * a network that cannot come up is a sentence in the log and in `status`, never a crash.
 */
const { root, parley, background, close } = cliHarness('parley-cli-ready-');
afterAll(close);

const ONLINE = /Online: joined the DHT/;
const statusOf = async (home: string) => JSON.parse((await parley('status', '--home', home, '--json')).stdout) as { network: Network | null };

describe('`parley run` is ready before its network', () => {
  it('a message sent through the API right after the ready line waits in the outbox and is delivered once the network is up', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await background(['testnet', '--dht', '4', '--relays', '2']);
    await parley('init', '--home', alice, '--name', 'Alice');
    await parley('init', '--home', bob, '--name', 'Bob');
    const idOf = async (home: string) => JSON.parse((await parley('id', '--home', home, '--json')).stdout).id as string;
    const [aliceId, bobId] = [await idOf(alice), await idOf(bob)];
    await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob');
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background(['run', '--home', bob, '--no-ui'], ONLINE);

    const run = await background(['run', '--home', alice], /keep it to yourself/);
    // At once, as the web UI would: the API answers with this home's token, and takes the message.
    const client = new ApiClient(readApiInfo(alice)!.url, apiToken(alice));
    const sent = await client.send(bobId, 'sent the moment it said it was ready');
    const atSend = await client.network();
    expect(['starting', 'up']).toContain(atSend.state);

    const delivered = await until(async () => {
      const m = (await client.messages(bobId, { limit: 10 })).find((x) => x.id === sent.id);
      return m?.state === 'delivered' ? m : undefined;
    }, 'the message sent at once to be delivered');
    expect(delivered.body).toBe('sent the moment it said it was ready');
    expect((await parley('history', '--home', bob)).stdout).toContain('Alice: sent the moment it said it was ready');

    // The run said it went online, after its ready lines; `status` says it is connected.
    await until(() => ONLINE.test(run.output()), 'the online line');
    expect(run.output().indexOf('Web UI:')).toBeLessThan(run.output().search(ONLINE));
    expect((await statusOf(alice)).network).toMatchObject({ state: 'up', problem: null });
    expect((await parley('status', '--home', alice)).stdout).toContain('Network: connected');
    expect(run.errors()).toBe('');
  });

  it('a network that cannot come up is a sentence in the log and in `status`; the API keeps answering and a message waits in the outbox', async () => {
    const carol = join(root, 'carol');
    const bob = join(root, 'bob');
    await parley('init', '--home', carol, '--name', 'Carol');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout).id as string;
    await parley('contact', 'add', '--home', carol, bobId, '--name', 'Bob');
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: nothing can listen there.
    const run = await background(['run', '--home', carol, '--host', '192.0.2.1'], /keep it to yourself/);

    const problem = await until(() => /parley: the network did not come up \(.+\)/.exec(run.errors())?.[0], 'the failure to be said on stderr');
    expect(problem).toMatch(/could not listen/);
    expect(run.errors()).not.toMatch(/at .+\.(ts|js|mjs):\d+/); // a sentence, not a stack trace
    expect((await statusOf(carol)).network).toMatchObject({ state: 'failed', problem: expect.stringMatching(/did not come up.*restart Parley/) });
    expect((await parley('status', '--home', carol)).stdout).toMatch(/Network: not connected: the network did not come up/);

    // Still serving: a send is stored and waits (exit 3), nothing is lost.
    const sent = await parley('send', '--home', carol, 'bob', 'kept for later', '--wait', '1').catch((e: { code: number; stdout: string }) => e);
    expect((sent as { code?: number }).code).toBe(3);
    expect(sent.stdout).toMatch(/waits in your outbox/);
    expect((await parley('outbox', '--home', carol)).stdout).toMatch(/to Bob/);
    expect(run.child.exitCode).toBeNull();
  });
});
