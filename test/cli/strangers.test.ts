import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './harness.js';
import { until } from '../helpers/until.js';
import { DhtNode, lookupIntro } from '../../src/dht/index.js';
import { parseId } from '../../src/identity/index.js';

/*
 * "Reachable directly by strangers" is the one switch that puts an IP address into a record anyone
 * can read. Off by default; the command says what it gives away, and what it changes is checked
 * where a stranger would look: Carol's intro record on the DHT.
 */
const { root, parley, failing, background, close } = cliHarness('parley-cli-strangers-');
let crawler: DhtNode | null = null;
afterAll(async () => {
  await crawler?.stop();
  await close();
});

describe('parley strangers', () => {
  it('is off by default, says what turning it on publishes, and the intro record follows the choice', async () => {
    const carol = join(root, 'carol');
    await background(['testnet', '--dht', '4', '--relays', '2']); // two: with one alone, DHT lookups wait for a second (issue 13 §5)
    await parley('init', '--home', carol, '--name', 'Carol');
    const carolId = parseId(JSON.parse((await parley('id', '--home', carol, '--json')).stdout).id as string);

    expect((await parley('strangers', '--home', carol)).stdout).toMatch(/^Reachable directly by strangers: off\. Your IP address is in no public record/);
    const wrong = await failing('strangers', 'maybe', '--home', carol);
    expect(wrong.stderr).toMatch(/Allowed choices are on, off/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /); // a sentence, not a stack trace

    const { bootstrap } = JSON.parse(readFileSync(join(root, 'testnet.json'), 'utf8')) as { bootstrap: string[] };
    crawler = new DhtNode({ bootstrap, host: '127.0.0.242', loopbackOnly: true });
    await crawler.start();
    const intro = () => lookupIntro(crawler!, carolId, Math.floor(Date.now() / 1000)).catch(() => null);

    await background(['run', '--home', carol]);
    await until(async () => (await intro()) !== null, "Carol's intro record", 30_000);
    expect((await intro())!.endpoint).toBeUndefined();

    // Through the running Parley: saved, and republished at once with the endpoint.
    const on = await parley('strangers', 'on', '--home', carol, '--json');
    expect(JSON.parse(on.stdout)).toEqual({ reachableByStrangers: true });
    expect((await parley('strangers', '--home', carol)).stdout).toMatch(
      /^Reachable directly by strangers: ON\. Your public intro record names your IP address/,
    );
    await until(async () => (await intro())?.endpoint !== undefined, 'the endpoint in the intro record', 30_000);

    await parley('strangers', 'off', '--home', carol);
    await until(async () => (await intro())?.endpoint === undefined, 'the endpoint to be withdrawn', 30_000);
  }, 180_000);
});
