import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import type { ParleyNode } from '../../src/node/index.js';
import { until } from '../helpers/until.js';

/*
 * Clocks are wrong in real life. Intro records carry an expiry written with the publisher's clock
 * and checked with the reader's, so a day of skew either way must not cut anyone off; a clock that
 * is wrong by days must fail in a way the person can understand (the outbox says why).
 */

const DAY = 24 * 3600 * 1000;
const skewed = (ms: number) => () => Date.now() + ms;

describe('clock skew against record expiry', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  async function exchange(a: ParleyNode, b: ParleyNode): Promise<void> {
    a.addContact(b.id);
    b.addContact(a.id);
    a.send(b.id, `hello from ${a.home}`);
    b.send(a.id, `hello from ${b.home}`);
    await received(b, a.id, 1);
    await received(a, b.id, 1);
    await delivered(a, b.id, 1);
    await delivered(b, a.id, 1);
  }

  it('a day ahead or behind, on either side or both: first contact and chat still work', async () => {
    const [r0, r1] = w.net.relays;
    const ahead = await w.start('ahead', { now: skewed(DAY), relays: [r0!] });
    const behind = await w.start('behind', { now: skewed(-DAY), relays: [r1!] });
    const right = await w.start('right', { relays: [r0!] });
    await exchange(ahead, right); // ahead reads a fresh record as nearly a day old, right reads ahead's as good for a day more
    await exchange(behind, right); // right reads behind's record as expired 22 hours ago
    await exchange(ahead, behind); // two days apart
  });

  it('days off: the message waits, and the outbox says the clock may be wrong', async () => {
    const [r0, r1] = w.net.relays;
    const stale = await w.start('stale', { now: skewed(-5 * DAY), relays: [r0!] });
    const me = await w.start('me', { relays: [r1!] });
    me.addContact(stale.id);
    stale.addContact(me.id);
    const m = me.send(stale.id, 'can you hear me?');
    await until(() => (me.outbox()[0]?.attempts ?? 0) > 0, 'a delivery attempt');
    const [waiting] = me.outbox();
    expect(waiting?.message_id).toBe(m.id);
    expect(waiting?.last_error).toMatch(/EXPIRED/);
    expect(waiting?.last_error).toMatch(/clock/);
  });
});
