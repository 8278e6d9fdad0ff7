import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { world, received, delivered } from '../helpers/people.js';

/** Taps every byte any TCP socket in this process writes: both ends of every conversation. */
function tapTcp() {
  const chunks: Buffer[] = [];
  const original = Socket.prototype.write;
  Socket.prototype.write = function (this: Socket, data: unknown, ...rest: unknown[]) {
    if (typeof data === 'string') chunks.push(Buffer.from(data));
    else if (data instanceof Uint8Array) chunks.push(Buffer.from(data));
    return (original as (...a: unknown[]) => boolean).call(this, data, ...rest);
  } as typeof Socket.prototype.write;
  return {
    bytes: () => Buffer.concat(chunks),
    restore: () => {
      Socket.prototype.write = original;
    },
  };
}

describe('what the wire shows', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.close();
  });

  it('carries neither the plaintext nor either identity key', async () => {
    const [alice, bob] = await w.pair('alice', 'bob', { visibility: 'direct' });
    const tap = tapTcp();
    try {
      const secret = 'the source meets at noon by the river';
      alice.send(bob.id, secret);
      await received(bob, alice.id, 1);
      bob.send(alice.id, secret + ' (confirmed)');
      await received(alice, bob.id, 1);
      await delivered(alice, bob.id, 1);
      const wire = tap.bytes();
      expect(wire.length).toBeGreaterThan(1000);
      const forbidden = {
        plaintext: Buffer.from('meets at noon'),
        aliceIdentityKey: alice.identity.identityKey.publicKey,
        bobIdentityKey: bob.identity.identityKey.publicKey,
        aliceSignalKey: alice.identity.signalIdentityPublic,
        bobSignalKey: bob.identity.signalIdentityPublic,
        aliceId: Buffer.from(alice.id),
        bobId: Buffer.from(bob.id),
      };
      for (const [name, needle] of Object.entries(forbidden)) {
        expect(wire.includes(needle), `${name} seen on the wire`).toBe(false);
      }
    } finally {
      tap.restore();
    }
  });
});
