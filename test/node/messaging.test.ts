import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { leaks, needlesOf } from '../helpers/leaks.js';
import type { ParleyNode } from '../../src/node/index.js';

/*
 * Disappearing messages, replies, deletes and the outbox's cancel between two real nodes. The
 * timers run on a clock the test moves forward (NodeOptions.expiryNow), never on a sleep.
 */
describe('everyday messaging between two nodes', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let alice: ParleyNode;
  let bob: ParleyNode;
  let shift = 0;
  const clock = () => Date.now() + shift;
  beforeAll(async () => {
    w = await world();
    [alice, bob] = await w.pair('alice', 'bob', { a: { expiryNow: clock }, b: { expiryNow: clock }, visibility: 'direct' });
  });
  afterAll(async () => {
    await w.close();
  });

  it('a disappearing timer set by one side applies to both, and when it runs out the text is in no file of either home', async () => {
    alice.messages.setDisappearing(bob.id, 300);
    const [timer] = await received(bob, alice.id, 1);
    expect(timer).toMatchObject({ kind: 'timer', ttl: 300 });
    expect(bob.contacts().find((c) => c.id === alice.id)).toMatchObject({ disappear_seconds: 300 });
    const secret = 'the zanzibarquux shipment arrives tuesday';
    const sent = alice.send(bob.id, secret);
    await received(bob, alice.id, 2);
    await delivered(alice, bob.id, 2);
    expect(bob.search('zanzibarquux', { limit: 5 })).toHaveLength(1);
    // Bob answers: his messages disappear too (he has the conversation's timer from Alice).
    const answer = 'understood, the quokkaberry stays hidden';
    bob.send(alice.id, answer);
    await received(alice, bob.id, 1);
    const needles = { ...needlesOf(secret), ...needlesOf(answer) };
    for (const n of [alice, bob]) expect(leaks(n.home, needles).length).toBeGreaterThan(0); // they are there now

    shift = 301_000;
    for (const n of [alice, bob])
      await until(
        () => (n.history().some((m) => m.id === sent.id || m.body === answer) ? undefined : true),
        () => 'the messages to disappear',
        10_000,
      );
    for (const n of [alice, bob]) {
      expect(n.search('zanzibarquux', { limit: 5 })).toEqual([]);
      expect(leaks(n.home, needles), n.home).toEqual([]);
    }
    // The timer entries stay: they hold no text.
    expect(bob.history(alice.id).map((m) => m.kind)).toEqual(['timer']);
    alice.messages.setDisappearing(bob.id, 0);
    await until(
      () => (bob.contacts().find((c) => c.id === alice.id)?.disappear_seconds === 0 ? true : undefined),
      () => 'the timer to be off',
      20_000,
    );
  });

  it('a reply quotes its original; a delete for everyone leaves a tombstone on both sides, its words gone', async () => {
    shift = 0;
    const original = alice.send(bob.id, 'the periwinkle ledger is in the attic');
    await until(
      () => bob.history().find((m) => m.id === original.id),
      () => 'the original to arrive',
    );
    const reply = bob.send(alice.id, 'got it', { replyTo: original.id });
    const atAlice = await until(
      () => alice.history().find((m) => m.id === reply.id),
      () => 'the reply to arrive',
    );
    expect(atAlice).toMatchObject({ reply_to: original.id, quote: 'the periwinkle ledger is in the attic' });

    // Bob cannot delete Alice's message for everyone; Alice can.
    expect(() => bob.messages.delete(original.id, true)).toThrow(/only a message you sent/);
    alice.messages.delete(original.id, true);
    await until(
      () => (bob.history().find((m) => m.id === original.id)?.kind === 'deleted' ? true : undefined),
      () => 'the tombstone at Bob',
    );
    for (const n of [alice, bob]) {
      expect(n.history().find((m) => m.id === original.id)).toMatchObject({ kind: 'deleted', body: '' });
      expect(n.history().find((m) => m.id === reply.id)).toMatchObject({ reply_to: original.id, quote: null });
      expect(leaks(n.home, needlesOf('periwinkle ledger'))).toEqual([]);
    }
  });

  it('a conversation deleted on one device is gone there only, and what the contact writes next still arrives', async () => {
    const before = alice.send(bob.id, 'an older line about the greenhouse');
    await until(
      () => bob.history().find((m) => m.id === before.id),
      () => 'the message to arrive',
    );
    expect(bob.messages.clearConversation(alice.id).length).toBeGreaterThan(0);
    expect(bob.history(alice.id)).toEqual([]);
    expect(alice.history(bob.id).some((m) => m.id === before.id)).toBe(true);
    expect(leaks(bob.home, needlesOf('greenhouse'))).toEqual([]);
    // Bob's order check still knows what he had: the next message is not held back, nor an old one taken again.
    const next = alice.send(bob.id, 'and a new one');
    await until(
      () => bob.history().find((m) => m.id === next.id),
      () => 'the next message to arrive',
    );
    expect(bob.history(alice.id).map((m) => m.body)).toEqual(['and a new one']);
  });

  it('a message cancelled in the outbox is never sent, and the next one is not held back waiting for it', async () => {
    await until(
      () => (alice.outbox().length === 0 ? true : undefined),
      () => 'the delete to be acknowledged',
    );
    await w.stop(bob);
    const cancelled = alice.send(bob.id, 'never mind this one');
    alice.messages.cancel(cancelled.id);
    expect(alice.outbox()).toEqual([]);
    const next = alice.send(bob.id, 'this one instead');
    const bob2 = await w.start('bob', { expiryNow: clock });
    await until(
      () => bob2.history().find((m) => m.id === next.id),
      () => 'the next message to arrive',
    );
    expect(bob2.history().some((m) => m.id === cancelled.id)).toBe(false);
    bob = bob2;
  });
});
