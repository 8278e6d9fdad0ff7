import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { RelayServer } from '../../src/relay/index.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';

describe('relays failing and people offline', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('relay killed mid-conversation: nothing goes direct, the outbox says why, then drains once it returns', async () => {
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    let relay = new RelayServer({ host: '127.0.2.50', keyPair, ...w.net.hops });
    await relay.start();
    const { port } = relay.address();
    const mine = { host: '127.0.2.50', port, publicKey: keyPair.publicKey.toString('base64') };
    const alice = await w.start('alice', { relays: [mine] });
    const bob = await w.start('bob', { relays: [w.net.relays[1]!] });
    const bobSaw = bob.forTest().observeInbound();
    alice.addContact(bob.id); // relayed: the default
    bob.addContact(alice.id);
    bob.setVisibility(alice.id, 'direct'); // Bob would even accept direct: Alice must still never go direct
    for (let i = 0; i < 5; i++) alice.send(bob.id, `before ${i}`);
    await delivered(alice, bob.id, 5);

    await relay.stop();
    for (let i = 0; i < 5; i++) alice.send(bob.id, `during ${i}`);
    await until(
      () => alice.outbox().length === 5 && alice.outbox().every((o) => /your relay is unreachable/.test(o.last_error ?? '')),
      () => `5 messages waiting because Alice's relay is unreachable (outbox: ${JSON.stringify(alice.outbox().map((o) => o.last_error))})`,
      10_000,
    );
    expect(bobSaw).toEqual([]);

    relay = new RelayServer({ host: '127.0.2.50', port, keyPair, ...w.net.hops });
    await relay.start();
    try {
      await delivered(alice, bob.id, 10, 20_000);
      const got = await received(bob, alice.id, 10);
      expect(got.map((m) => m.body)).toEqual([...Array.from({ length: 5 }, (_, i) => `before ${i}`), ...Array.from({ length: 5 }, (_, i) => `during ${i}`)]);
      expect(bobSaw).toEqual([]);
      expect(alice.outbox()).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('offline recipient: the message waits in their relay mailbox and is delivered once when they start', async () => {
    const [carol, dave] = await w.pair('carol', 'dave', { a: { relays: [w.net.relays[0]!] }, b: { relays: [w.net.relays[1]!] } });
    carol.send(dave.id, 'warm-up');
    await delivered(carol, dave.id, 1);
    await w.stop(dave);
    const m = carol.send(dave.id, 'while you were away');
    await until(() => carol.history(dave.id).find((x) => x.id === m.id)?.state === 'sent', "Carol's message to be stored in Dave's relay mailbox", 10_000);
    expect(carol.outbox().map((o) => o.message_id)).toEqual([m.id]);
    const dave2 = await w.start('dave', { relays: [w.net.relays[1]!] });
    await delivered(carol, dave.id, 2);
    // Delivered once: a later message, through the same mailbox, arrives after the waiting one was
    // handled; had it been handled twice, the copy would show before it.
    carol.send(dave.id, 'and now');
    const got = await received(dave2, carol.id, 3);
    expect(got.map((x) => x.body)).toEqual(['warm-up', 'while you were away', 'and now']);
    expect(JSON.parse(got[1]!.route!)).toMatchObject({ route: 'two-relays', hops: ['their-relay', 'my-relay'] }); // Carol's relay, then Dave's mailbox
  });
});
