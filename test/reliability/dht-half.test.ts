import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { DhtNode, lookupIntro } from '../../src/dht/index.js';
import { parseId } from '../../src/identity/index.js';
import type { ParleyNode } from '../../src/node/index.js';
import { scale } from './soak.js';

/*
 * Half of the DHT goes away at once (every other node of the testnet, with no goodbye: UDP has
 * none). Records were stored on every close node, so lookups must still succeed from the rest: for
 * a fresh DHT client, for people who already talk, and for a first contact made afterwards.
 */

const PEOPLE = scale(6, 20);

describe('half of the DHT nodes killed', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(12, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('lookups succeed from the rest, and people keep talking and meet for the first time', async () => {
    const people: ParleyNode[] = [];
    for (let i = 0; i < PEOPLE; i++) people.push(await w.start(`p${i}`, { relays: [w.net.relays[i % 2]!] }));
    const [p0, p1] = people as [ParleyNode, ParleyNode];
    p0.addContact(p1.id);
    p1.addContact(p0.id);
    p0.send(p1.id, 'before');
    await received(p1, p0.id, 1);

    // Every other node, never the bootstrap node (new people still join through it).
    const killed = w.net.nodes.filter((_, i) => i % 2 === 1);
    await Promise.all(killed.map((n) => n.stop()));

    const fresh = new DhtNode({ bootstrap: w.net.bootstrap, host: '127.0.0.239', loopbackOnly: true });
    await fresh.start();
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const p of people) expect((await lookupIntro(fresh, parseId(p.id), now)).id).toBe(p.id);
    } finally {
      await fresh.stop();
    }

    p0.send(p1.id, 'after');
    p1.send(p0.id, 'reply');
    await received(p1, p0.id, 2);
    await received(p0, p1.id, 1);

    // First contacts after the loss, each needing intro lookups and prekey bundles.
    const pairs: Array<[ParleyNode, ParleyNode]> = [];
    for (let i = 2; i + 1 < people.length; i += 2) pairs.push([people[i]!, people[i + 1]!]);
    for (const [a, b] of pairs) {
      a.addContact(b.id);
      b.addContact(a.id);
      a.send(b.id, 'nice to meet you');
    }
    for (const [a, b] of pairs) {
      await received(b, a.id, 1);
      await delivered(a, b.id, 1);
    }
    expect(
      p1
        .history(p0.id)
        .filter((m) => m.direction === 'in')
        .map((m) => m.body),
    ).toEqual(['before', 'after']);
  });
});
