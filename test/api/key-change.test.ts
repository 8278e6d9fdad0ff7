import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateKey } from '@signalapp/libsignal-client';
import { Identity, SecretKey, loadIdentity, saveIdentity } from '../../src/identity/index.js';
import { ApiClient, Daemon, apiToken, startApi } from '../../src/api/index.js';
import { until } from '../helpers/until.js';
import { apiWorld, type Person } from './helpers.js';

describe("a contact's key changes (they reinstalled, or someone impersonates them)", () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let alice: Person;
  let bob: Person;
  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 1);
  });
  afterAll(async () => {
    await w.close();
  });

  it('is refused and flagged loudly; once accepted, the held-back message arrives and the key counts as unverified', async () => {
    const aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    const bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await bob.client.addContact({ id: aliceId });
    await bob.client.send(aliceId, 'before');
    await until(async () => (await alice.client.messages(bobId)).length === 1, "Bob's first message to reach Alice");
    await alice.client.verify(bobId, true);
    const before = await alice.client.safety(bobId);

    // Bob's ID key signs a brand-new Signal key on a new install (same ID, new libsignal identity).
    const old = loadIdentity(bob.home);
    await bob.api.close();
    await bob.daemon.close();
    const home2 = `${bob.home}-reinstalled`;
    saveIdentity(home2, new Identity(old.identityKey, old.transportKey, new SecretKey(Buffer.from(PrivateKey.generate().serialize())), 4321));
    const daemon = new Daemon({
      home: home2,
      node: {
        bootstrap: w.net.bootstrap,
        host: '127.0.4.251',
        relays: [w.net.relays[1]!],
        exitRelays: [w.net.relays[0]!], // with one relay alone its DHT lookups would wait for a second
        retry: { baseMs: 200, maxMs: 1_000 },
      },
    });
    await daemon.open();
    const api = await startApi({ daemon, token: apiToken(home2) });
    const bob2 = new ApiClient(api.url, apiToken(home2));
    try {
      expect((await bob2.state()).me!.id).toBe(bobId);
      await bob2.addContact({ id: aliceId });
      await bob2.send(aliceId, 'after reinstalling');

      await until(async () => (await alice.client.contact(bobId)).keyPending, "Alice to hold back Bob's new key", 30_000);
      expect(await alice.client.contact(bobId)).toMatchObject({ keyPending: true, keyChanged: true, verified: true });
      // Bob resends until he hears a receipt, and Alice's node acks each copy in her relay mailbox
      // once it has dealt with it: one more ack (her mailbox is the only one on that relay: relay 1,
      // her DHT exit and mailbox home, reached through her relay 0) means a resend came and was held back too.
      const relay = w.net.relayServers[1]!;
      const acks = () => relay.metrics().framesIn.ack ?? 0;
      const acked = acks();
      await until(
        () => acks() > acked && relay.metrics().stored.items === 0,
        () => `a resend of Bob's message to be handled (acks ${acked} -> ${acks()})`,
      );
      expect((await alice.client.messages(bobId)).map((m) => m.body)).toEqual(['before']); // held back, not shown

      const accepted = await alice.client.acceptNewKey(bobId);
      expect(accepted).toMatchObject({ keyPending: false, keyChanged: true, verified: false });
      await until(
        async () => (await alice.client.messages(bobId)).some((m) => m.body === 'after reinstalling'),
        'the held-back message to arrive once the key is accepted',
        30_000,
      );
      const after = await alice.client.safety(bobId);
      expect(after.number).not.toBe(before.number);
      expect(after).toMatchObject({ verified: false, keyChanged: true });
      expect((await alice.client.verify(bobId, true)).keyChanged).toBe(false);
      expect(await alice.client.acceptNewKey(bobId).catch((e: Error) => e.message)).toMatch(/has not offered a new key/);
      await until(
        async () => (await bob2.messages(aliceId)).find((m) => m.body === 'after reinstalling')?.state === 'delivered',
        "a receipt for Bob's held-back message",
        30_000,
      );
    } finally {
      await api.close();
      await daemon.close();
    }
  }, 120_000);
});
