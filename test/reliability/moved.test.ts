import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';

/*
 * Two people who let each other see their IP addresses talk device to device. Then one of them
 * starts again from another address (a laptop on another network) and says nothing. The other's
 * messages must still arrive: their stored direct address is stale, and only the moved person could
 * tell them the new one.
 */

describe('a direct contact who moved to another address', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('is still reached (through their relay) while they stay silent, and directly again once they speak', async () => {
    const alice = await w.start('alice', { relays: [w.net.relays[0]!] });
    let bob = await w.start('bob', { host: '127.0.5.200', relays: [w.net.relays[1]!] });
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, 'direct');
    bob.setVisibility(alice.id, 'direct');
    alice.send(bob.id, 'hi');
    bob.send(alice.id, 'hello');
    await received(alice, bob.id, 1);
    await delivered(alice, bob.id, 1);
    alice.send(bob.id, 'direct now?');
    await delivered(alice, bob.id, 2);
    expect(JSON.parse(alice.history(bob.id).at(-1)!.route!)).toMatchObject({ route: 'direct' });

    await w.stop(bob);
    bob = await w.start('bob', { host: '127.0.5.201', relays: [w.net.relays[1]!] });
    const m = alice.send(bob.id, 'where are you?');
    await delivered(alice, bob.id, 3, 20_000);
    const sent = alice.history(bob.id).find((x) => x.id === m.id)!;
    // Her dial to his old address fails, so she offers a hole punch through his relay; he answers
    // from where he is now, and the message goes device to device over the punched path (before
    // hole punching it went through his relay, which her `direct` setting allows as well).
    expect(JSON.parse(sent.route!)).toMatchObject({ route: 'direct', hops: ['direct'] });

    bob.send(alice.id, 'over here');
    await received(alice, bob.id, 2);
    const back = alice.send(bob.id, 'found you');
    await delivered(alice, bob.id, 4);
    expect(JSON.parse(alice.history(bob.id).find((x) => x.id === back.id)!.route!)).toMatchObject({ route: 'direct' });
    expect(
      bob
        .history(alice.id)
        .filter((x) => x.direction === 'in')
        .map((x) => x.body),
    ).toEqual(['hi', 'direct now?', 'where are you?', 'found you']);
  });
});
