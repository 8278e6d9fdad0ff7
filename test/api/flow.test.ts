import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, apiToken, startApi, ApiClient, ApiClientError } from '../../src/api/index.js';
import { until } from '../helpers/until.js';
import { apiWorld, listenEvents, type Person } from './helpers.js';

const listen = (p: Person) => listenEvents(p.api.port, p.token);

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e instanceof ApiClientError ? `${e.status} ${e.message}` : String(e);
  }
  return 'no error';
};

describe('the daemon API, used as the UI uses it', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let ids: Record<string, string>;
  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 1);
    carol = await w.person('carol', 0);
    ids = {};
    for (const [name, p] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      ids[name] = (await p.client.onboard({ mode: 'incognito', name })).me!.id;
    }
  });
  afterAll(async () => {
    await w.close();
  });

  it('streams message, delivery, contact and route events; counts unread until read', async () => {
    const a = listen(alice);
    const b = listen(bob);
    await alice.client.addContact({ id: ids.bob!, name: 'Bob' });
    await bob.client.addContact({ id: ids.alice!, name: 'Alice' });
    const sent = await alice.client.send(ids.bob!, 'first words');
    expect(sent.state).toBe('waiting');
    await until(() => a.events.some((e) => e.type === 'delivery' && e.message.id === sent.id && e.message.state === 'delivered'), 'a delivery event to Alice');
    await until(() => b.events.some((e) => e.type === 'message' && e.message.body === 'first words'), 'a message event to Bob');
    expect(a.events).toContainEqual({ type: 'route', contactId: ids.bob, route: 'two-relays' });
    const bobsView = (await bob.client.contacts()).find((c) => c.id === ids.alice)!;
    expect(bobsView).toMatchObject({ unread: 1, last: { body: 'first words', direction: 'in' }, visibility: 'relayed' });
    expect(b.events.some((e) => e.type === 'contact' && e.contact.id === ids.alice && e.contact.unread === 1)).toBe(true);
    await bob.client.markRead(ids.alice!);
    expect((await bob.client.contact(ids.alice!)).unread).toBe(0);
    const [m] = await bob.client.messages(ids.alice!);
    expect(m).toMatchObject({
      body: 'first words',
      direction: 'in',
      state: 'received',
      route: { route: 'two-relays', hops: ['their-relay', 'my-relay'], senderReported: true },
    });
    expect((await bob.client.search('word')).map((h) => h.snippet)).toEqual(['first \u0002words\u0003']);
    a.close();
    b.close();
  });

  it('a stranger who writes becomes a request: accept, decline and block each do what they say', async () => {
    await carol.client.addContact({ id: ids.alice! });
    await carol.client.send(ids.alice!, 'hi, we met at the conference');
    await until(async () => (await alice.client.contacts()).some((c) => c.id === ids.carol && c.state === 'request'), 'Carol to show as a request');
    const request = (await alice.client.contacts()).find((c) => c.id === ids.carol)!;
    expect(request.last?.body).toBe('hi, we met at the conference');

    await alice.client.decline(ids.carol!);
    expect((await alice.client.contacts()).some((c) => c.id === ids.carol)).toBe(false);
    expect(await alice.client.search('conference')).toEqual([]); // declined: what they said is gone too

    await carol.client.send(ids.alice!, 'second try');
    await until(async () => (await alice.client.contacts()).some((c) => c.id === ids.carol && c.state === 'request'), 'Carol to show as a request again');
    expect((await alice.client.accept(ids.carol!)).state).toBe('added');
    await alice.client.send(ids.carol!, 'welcome');
    await until(async () => (await carol.client.messages(ids.alice!)).some((m) => m.body === 'welcome'), "Alice's welcome to reach Carol");

    expect((await alice.client.block(ids.carol!)).state).toBe('blocked');
    expect(await failure(alice.client.send(ids.carol!, 'no'))).toMatch(/^409 you blocked this contact/);
    await carol.client.send(ids.alice!, 'are you there?');
    // Alice's node acks an item of her relay mailbox only once it has dealt with it: once Carol's
    // message has reached that mailbox (Carol sees it sent) and the mailbox is empty again, Alice's
    // node has had it in hand (and dropped it).
    const relay = w.net.relayServers[0]!;
    await until(
      async () => (await carol.client.messages(ids.alice!)).find((m) => m.body === 'are you there?')?.state === 'sent',
      "Carol's message to reach Alice's mailbox",
    );
    await until(
      () => relay.metrics().stored.items === 0,
      () => `Alice's node to take it from her mailbox (the relay holds ${relay.metrics().stored.items} items)`,
    );
    expect((await alice.client.messages(ids.carol!)).some((m) => m.body === 'are you there?')).toBe(false);
    expect((await alice.client.unblock(ids.carol!)).state).toBe('added');
  });

  it('safety numbers match on both sides; verifying shows on the contact; renaming and visibility stick', async () => {
    const fromAlice = await alice.client.safety(ids.bob!);
    const fromBob = await bob.client.safety(ids.alice!);
    expect(fromAlice.number).toBe(fromBob.number);
    expect(fromAlice.qrSvg).toContain('<svg');
    expect(fromAlice.verified).toBe(false);
    expect((await alice.client.verify(ids.bob!, true)).verified).toBe(true);
    expect((await alice.client.safety(ids.bob!)).verified).toBe(true);
    expect((await alice.client.patchContact(ids.bob!, { name: 'Bobby', visibility: 'direct' })).name).toBe('Bobby');
    expect((await alice.client.contact(ids.bob!)).visibility).toBe('direct');
    const stranger = 'y'.repeat(52);
    expect(await failure(alice.client.safety(stranger))).toMatch(/^404 that ID is not in your contacts/);
  });

  it('presence: a contact connected device to device shows online, and offline when they stop', async () => {
    const dave = await w.person('dave');
    const erin = await w.person('erin');
    const daveId = (await dave.client.onboard({ mode: 'incognito', name: 'Dave' })).me!.id;
    const erinId = (await erin.client.onboard({ mode: 'incognito', name: 'Erin' })).me!.id;
    await dave.client.addContact({ id: erinId });
    await erin.client.addContact({ id: daveId });
    await dave.client.patchContact(erinId, { visibility: 'direct' });
    await erin.client.patchContact(daveId, { visibility: 'direct' });
    expect((await dave.client.contact(erinId)).online).toBe(false);
    const d = listen(dave);
    await dave.client.send(erinId, 'direct hello');
    await until(() => d.events.some((e) => e.type === 'presence' && e.contactId === erinId && e.online), 'Erin to show online to Dave');
    expect((await dave.client.contact(erinId)).online).toBe(true);
    expect((await alice.client.contact(ids.carol!)).online).toBe(null); // relayed: presence is not observable
    await erin.daemon.close();
    await until(() => d.events.some((e) => e.type === 'presence' && e.contactId === erinId && !e.online), 'Erin to show offline to Dave');
    expect((await dave.client.contact(erinId)).online).toBe(false);
    d.close();
  });

  it('a passphrase-protected identity starts locked after a restart and unlocks with the passphrase only', async () => {
    const home = `${alice.home}-locked`;
    const make = async () => {
      const daemon = new Daemon({ home, node: { bootstrap: w.net.bootstrap, host: '127.0.4.250', relays: [w.net.relays[0]!] } });
      await daemon.open();
      const api = await startApi({ daemon, token: apiToken(home) });
      return { daemon, api, client: new ApiClient(api.url, apiToken(home)) };
    };
    let d = await make();
    expect(await failure(d.client.onboard({ mode: 'incognito', name: 'Dora', passphrase: 'short' }))).toMatch(
      /^400 passphrase: a passphrase needs at least 8 characters/,
    );
    const id = (await d.client.onboard({ mode: 'incognito', name: 'Dora', passphrase: 'long enough passphrase' })).me!.id;
    await d.api.close();
    await d.daemon.close();
    d = await make();
    try {
      expect((await d.client.state()).status).toBe('locked');
      expect(await failure(d.client.contacts())).toMatch(/^409 unlock your identity first/);
      expect(await failure(d.client.unlock('wrong passphrase'))).toMatch(/^403 that passphrase does not unlock/);
      const state = await d.client.unlock('long enough passphrase');
      expect(state).toMatchObject({ status: 'running', me: { id, name: 'Dora' } });
    } finally {
      await d.api.close();
      await d.daemon.close();
    }
  });
});
