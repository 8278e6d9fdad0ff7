import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { attestorWorld } from './helpers.js';
import { formatVcards } from '../../src/signup/index.js';

describe('sign-up by email, then found through an imported vCard', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  beforeAll(async () => {
    [w, a] = await Promise.all([world(6, 2), attestorWorld()]);
  });
  afterAll(async () => {
    await Promise.all([w.close(), a.close()]);
  });

  it('the code arrives by SMTP, the attestation is published, Bob finds Alice from his address book and they chat', async () => {
    const alice = await w.start('alice', { relays: w.net.relays });
    const bob = await w.start('bob', { relays: w.net.relays });
    const started = await alice.signup().startSignup({ attestor: a.url, kind: 'email', identifier: '  Alice.Liddell@Example.ORG ' });
    expect(started.kind).toBe('email');
    const code = await a.mailedCode('alice.liddell@example.org');
    const done = await alice.signup().verifyCode(code);
    expect(done).toMatchObject({ kind: 'email', state: 'active' });
    expect(alice.signup().status()).toHaveLength(1);

    const vcf = formatVcards([
      { name: 'Carol', emails: ['carol@example.org'], phones: ['+41 44 668 18 00'] },
      { name: 'Alice L.', emails: ['someone@example.com', 'alice.liddell@example.org'], phones: [] },
      { emails: ['not an address'], phones: [] },
    ]);
    const result = await bob.signup().importContacts(vcf, { attestor: a.url });
    expect(result).toMatchObject({ cards: 3, checked: 4, invalid: 1, rejected: {} });
    expect(result.matches).toEqual([{ identifier: 'alice.liddell@example.org', kind: 'email', name: 'Alice L.', id: alice.id }]);

    bob.addContact(result.matches[0]!.id, 'Alice');
    bob.send(alice.id, 'found you through your email address');
    const got = await received(alice, bob.id, 1);
    expect(got[0]!.body).toBe('found you through your email address');
    alice.addContact(bob.id);
    alice.send(bob.id, 'hello Bob');
    await received(bob, alice.id, 1);
    await delivered(bob, alice.id, 1);
  });
});
