import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { received, delivered } from '../helpers/people.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';
import { observedWorld, onRelay } from './scenarios.js';

/**
 * A stranger who wrote to me straight to my published address (I am reachable directly by
 * strangers) holds a direct link; once I accept them they are a contact set to `relayed` (the
 * default), which may hold none: the link closes at acceptance, and my answer's receipt does not
 * warn that a direct connection with them was open.
 */
describe('accepting a stranger who connected directly', () => {
  const seen = observedWorld();
  it('closes their direct link: the answer goes through relays with no direct-link warning', async () => {
    const { w } = seen;
    const alice = await w.start('alice', { ...onRelay(w, 0), reachableByStrangers: true });
    const bob = await w.start('bob', onRelay(w, 1));
    bob.addContact(alice.id);
    bob.setVisibility(alice.id, 'direct');
    bob.send(alice.id, 'hello from a stranger');
    await until(() => alice.contacts().find((c) => c.id === bob.id)?.state === 'request', "Bob's request to reach Alice");
    expect(alice.online()).toContain(bob.id); // he came in directly, to her published address
    alice.accept(bob.id);
    expect(alice.online()).not.toContain(bob.id);
    alice.send(bob.id, 'my answer');
    await received(bob, alice.id, 1);
    await delivered(alice, bob.id, 1);
    const r = JSON.parse(alice.history(bob.id).find((m) => m.body === 'my answer')!.route!) as RouteReceipt;
    expect(r.route).not.toBe('direct');
    expect(r.warnings ?? []).not.toContain('direct-link-open');
  });

  it('closes it too when I answer the request without accepting it first, or add them by ID', async () => {
    const { w } = seen;
    const carol = await w.start('carol', { ...onRelay(w, 0), reachableByStrangers: true });
    const dan = await w.start('dan', onRelay(w, 1));
    const erin = await w.start('erin', onRelay(w, 1));
    for (const stranger of [dan, erin]) {
      stranger.addContact(carol.id);
      stranger.setVisibility(carol.id, 'direct');
      stranger.send(carol.id, 'hello from a stranger');
      await until(() => carol.contacts().find((c) => c.id === stranger.id)?.state === 'request', 'the request to reach Carol');
      expect(carol.online()).toContain(stranger.id);
    }
    carol.send(dan.id, 'an answer makes Dan a contact');
    expect(carol.online()).not.toContain(dan.id);
    carol.addContact(erin.id);
    expect(carol.online()).not.toContain(erin.id);
    await received(dan, carol.id, 1);
    await delivered(carol, dan.id, 1);
    const r = JSON.parse(carol.history(dan.id).find((m) => m.body.startsWith('an answer'))!.route!) as RouteReceipt;
    expect(r.route).not.toBe('direct');
    expect(r.warnings ?? []).not.toContain('direct-link-open');
  });
});
