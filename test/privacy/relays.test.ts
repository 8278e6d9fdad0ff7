import { describe, expect, it } from 'vitest';
import { firstContact, linkedIds, observedWorld, onRelay, talk, watched } from './scenarios.js';

/**
 * Threat-model row "a relay operator": the IP of the node connected to it, ciphertext, sizes and
 * timing; never a contact's ID with that IP, and with two relays never both ends. Row "a network
 * observer": sizes only to the bucket. Every relay of the world records every frame with the
 * address of the connection it came on.
 */
describe('what relays learn of relayed people', () => {
  const seen = observedWorld();

  it('relayed + relayed on two relays: no relay sees both ends, nor an address with a contact’s ID', async () => {
    const { w, obs } = seen;
    const alice = await w.start('alice', onRelay(w, 0));
    const bob = await w.start('bob', onRelay(w, 1));
    await firstContact(alice, bob);
    await talk(alice, bob, 3, (i) => 'x'.repeat(1 + i * 60));
    const [a, b] = await linkedIds(w, obs, alice, bob);
    expect(obs.relaysSeeing(alice.address().host, bob.address().host)).toEqual([]);
    expect(obs.relayLeaks(watched('Alice', alice), [b!])).toEqual([]);
    expect(obs.relayLeaks(watched('Bob', bob), [a!])).toEqual([]);
  });

  it('the relay the intro record names never saw its owner’s address; the relay that did never learns the mailbox (§4)', async () => {
    const { w, obs } = seen;
    const [gina, hank] = await w.pair('gina', 'hank', { a: onRelay(w, 0), b: onRelay(w, 1) });
    await talk(gina, hank, 2);
    const [g, h] = await linkedIds(w, obs, gina, hank);
    expect(obs.relayLeaks(watched('Gina', gina), [g!, h!])).toEqual([]);
    expect(obs.relayLeaks(watched('Hank', hank), [g!, h!])).toEqual([]);
  });

  it('the exit relay sees which ID is asked for, only ever from another relay’s address', async () => {
    const { w, obs } = seen;
    const carol = await w.start('carol', onRelay(w, 0));
    const dave = await w.start('dave', onRelay(w, 1));
    await firstContact(carol, dave);
    const [c, d] = await linkedIds(w, obs, carol, dave);
    const relayHosts = new Set(w.net.relays.map((r) => r.host));
    const exitFrames = obs.relays.flatMap((r) => r.frames.filter((s) => s.dir === 'in' && (s.frame.t === 'dht-get' || s.frame.t === 'dht-put')));
    const naming = (key: Buffer) =>
      exitFrames.filter((s) => Buffer.isBuffer((s.frame as { key?: unknown }).key) && (s.frame as { key: Buffer }).key.equals(key));
    expect(naming(c!.needles[0]!).length).toBeGreaterThan(0);
    expect(naming(d!.needles[0]!).length).toBeGreaterThan(0);
    expect(exitFrames.filter((s) => !relayHosts.has(s.source))).toEqual([]);
  });

  it('mail sizes fall in the padding buckets: short and long texts, receipts, requests', async () => {
    const { w, obs } = seen;
    const erin = await w.start('erin', onRelay(w, 0));
    const frank = await w.start('frank', onRelay(w, 1));
    await firstContact(erin, frank);
    await talk(erin, frank, 6, (i) => 'y'.repeat([1, 7, 40, 120, 180, 600][i]!));
    const sizes = obs.mailSizes();
    // Two envelope kinds (a first PreKey message, then Signal messages) over at most two buckets (256 B, 1 KiB).
    expect(sizes.length).toBeLessThanOrEqual(4);
    expect(sizes.length).toBeGreaterThan(0);
  });
});
