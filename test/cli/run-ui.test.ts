import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ApiClient, type ApiEvent } from '../../src/api/index.js';
import { listenEvents } from '../api/helpers.js';
import { cliHarness } from './harness.js';
import { until } from '../helpers/until.js';

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

    // Contact commands go through the daemon too: the open UI hears of each change at once.
    const { events, opened, close: stopListening } = listenEvents(new URL(m[1]!).port, m[2]!);
    await opened;
    const fay = join(root, 'fay');
    const fayId = JSON.parse((await parley('init', '--home', fay, '--json')).stdout).id;
    const added = JSON.parse((await parley('contact', 'add', '--home', dana, fayId, '--name', 'Fay', '--visibility', 'direct', '--json')).stdout);
    expect(added).toEqual(await ui.contact(fayId));
    expect(added).toMatchObject({ name: 'Fay', visibility: 'direct', state: 'added', verified: false });
    const set = JSON.parse((await parley('contact', 'set', '--home', dana, eliId, '--name', 'Eli S.', '--json')).stdout);
    expect(set).toEqual(await ui.contact(eliId));
    const changed = () => events.filter((e): e is Extract<ApiEvent, { type: 'contact' }> => e.type === 'contact').map((e) => [e.contact.id, e.contact.name]);
    const has = (id: string, name: string) => changed().some(([i, n]) => i === id && n === name);
    await until(
      () => has(fayId, 'Fay') && has(eliId, 'Eli S.'),
      () => `contact events for Fay and Eli S. (saw ${JSON.stringify(changed())})`,
      10_000,
    );
    stopListening();

    // Data commands print what the API gives, whether a daemon serves the home (Dana) or not (Eli).
    const danaHistory = JSON.parse((await parley('history', '--home', dana, '--json')).stdout);
    expect(danaHistory).toEqual(await ui.history());
    expect(JSON.parse((await parley('outbox', '--home', dana, '--json')).stdout)).toEqual(await ui.outbox());
    expect(JSON.parse((await parley('contact', 'list', '--home', dana, '--json')).stdout)).toEqual(await ui.contacts());
    const eliHistory = JSON.parse((await parley('history', '--home', eli, '--json')).stdout);
    expect(eliHistory).toHaveLength(1);
    expect(Object.keys(eliHistory[0]).sort()).toEqual(Object.keys(danaHistory[0]).sort());
    expect(eliHistory[0]).toMatchObject({ id: sent.id, contactId: danaId, direction: 'in', state: 'received', waitingBecause: null });
    const [eliView] = JSON.parse((await parley('contact', 'list', '--home', eli, '--json')).stdout);
    expect(Object.keys(eliView).sort()).toEqual(Object.keys(added).sort());
    expect(eliView).toMatchObject({ id: danaId, unread: 1, online: null, last: { body: 'sent from the command line', direction: 'in' } });
  }, 120_000);
});
