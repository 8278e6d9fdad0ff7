import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received } from '../helpers/people.js';
import { PREKEY_POLICY } from '../../src/e2e/prekeys.js';

describe('a node rotating its prekeys on its clock', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('publishes the new bundle after a rotation, so a stranger opens a session once the old keys are deleted', async () => {
    let offset = 0;
    const alice = await w.start('alice', { now: () => Date.now() + offset, relays: [w.net.relays[0]!] });
    const firstSigned = alice.db.prepare("SELECT value FROM kv WHERE key = 'e2e.signed.current'").get() as { value: string };

    offset += PREKEY_POLICY.rotateMs + 60_000;
    await alice.forTest().rotatePrekeys(); // replaced; the relay gets the new bundle
    offset += PREKEY_POLICY.graceMs + 60_000;
    await alice.forTest().rotatePrekeys(); // the keys the first bundle named are deleted now
    expect(alice.db.prepare('SELECT count(*) AS n FROM signal_signed_prekeys WHERE id = ?').get(Number(firstSigned.value))).toEqual({ n: 0 });

    const bob = await w.start('bob', { relays: [w.net.relays[1]!] });
    bob.addContact(alice.id);
    bob.send(alice.id, 'first contact after the rotation');
    const got = await received(alice, bob.id, 1);
    expect(got[0]!.body).toBe('first contact after the rotation');
    // (No receipt check: Alice's clock is weeks ahead, so she reads Bob's fresh intro record as expired.)
  });
});
