import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/index.js';
import { cliHarness } from './harness.js';

const { root, parley, background, close } = cliHarness('parley-run-ui-');
afterAll(close);

describe('parley run serves the web UI, and the CLI goes through the same API', () => {
  it('onboard in the UI with a passphrase, then `parley id` and `parley send` work through the running daemon', async () => {
    await background(['testnet', '--dht', '4', '--relays', '2']);
    const dana = join(root, 'dana');
    const eli = join(root, 'eli');
    const { out } = await background(['run', '--home', dana], /keep it to yourself/); // the web UI's link is printed
    expect(out).toMatch(/no identity yet: open the web UI/);
    const m = /Web UI: (http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]{43})/.exec(out)!;
    const ui = new ApiClient(m[1]!, m[2]!);
    const danaId = (await ui.onboard({ mode: 'incognito', name: 'Dana', passphrase: 'a fine long passphrase' })).me!.id;

    await parley('init', '--home', eli, '--name', 'Eli');
    const eliId = JSON.parse((await parley('id', '--home', eli, '--json')).stdout).id;
    expect(JSON.parse((await parley('id', '--home', dana, '--json')).stdout)).toMatchObject({ id: danaId, name: 'Dana' }); // locked, yet named
    await parley('contact', 'add', '--home', eli, danaId);
    await ui.addContact({ id: eliId, name: 'Eli' });
    await background(['run', '--home', eli, '--no-ui']);

    const sent = JSON.parse((await parley('send', '--home', dana, eliId, 'sent from the command line', '--json')).stdout);
    expect(sent).toMatchObject({ body: 'sent from the command line', state: 'delivered' });
    expect(sent.route.route === 'two-relays' || (sent.route.route === 'one-relay' && sent.route.sameRelay)).toBe(true); // relays are picked at random
    expect((await ui.messages(eliId)).map((x) => x.body)).toEqual(['sent from the command line']); // the UI sees it too
  }, 120_000);
});
