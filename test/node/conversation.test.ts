import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';

describe('two people on the local DHT', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.close();
  });

  it('find each other only through the DHT and exchange 100 messages both ways, in order', async () => {
    // Only IDs are exchanged: no address is passed by hand.
    const [alice, bob] = await w.pair('alice', 'bob', { visibility: 'direct' });
    for (let i = 0; i < 100; i++) {
      alice.send(bob.id, `a→b ${i}`);
      bob.send(alice.id, `b→a ${i}`);
    }
    const atBob = await received(bob, alice.id, 100);
    const atAlice = await received(alice, bob.id, 100);
    expect(atBob.map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `a→b ${i}`));
    expect(atAlice.map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `b→a ${i}`));
    expect(atBob.map((m) => m.conv_seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await delivered(alice, bob.id, 100);
    await delivered(bob, alice.id, 100);
    expect(alice.outbox()).toEqual([]);
    expect(bob.outbox()).toEqual([]);
    expect(JSON.parse(atBob[0]!.route!)).toMatchObject({ route: 'direct' });

    // Restart both: the Signal session resumes from SQLite, nothing is lost or duplicated.
    await w.stop(alice);
    await w.stop(bob);
    const alice2 = await w.start('alice');
    const bob2 = await w.start('bob');
    expect(bob2.history(alice.id, 1000).filter((m) => m.direction === 'in')).toHaveLength(100);
    for (let i = 0; i < 10; i++) {
      alice2.send(bob.id, `after restart ${i}`);
      bob2.send(alice.id, `reply ${i}`);
    }
    const again = await received(bob2, alice.id, 110);
    await received(alice2, bob.id, 110);
    await delivered(alice2, bob.id, 110);
    expect(again.slice(100).map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `after restart ${i}`));
    expect(new Set(again.map((m) => m.id)).size).toBe(110);
  });

  it('delivers from the outbox once an offline receiver starts', async () => {
    const [carol, dave] = await w.pair('carol', 'dave', { visibility: 'direct' });
    await w.stop(dave);
    const sent = carol.send(dave.id, 'are you there?');
    // A failed attempt, recorded with its reason, is the signal that Carol tried and kept it.
    await until(
      () => /cannot be reached/.test(carol.outbox()[0]?.last_error ?? ''),
      () => `Carol's outbox to say Dave cannot be reached (${JSON.stringify(carol.outbox())})`,
    );
    expect(carol.outbox().map((o) => o.message_id)).toEqual([sent.id]);
    const dave2 = await w.start('dave');
    const got = await received(dave2, carol.id, 1);
    expect(got.map((m) => m.body)).toEqual(['are you there?']);
    await delivered(carol, dave.id, 1);
    expect(carol.outbox()).toEqual([]);
  });
});
