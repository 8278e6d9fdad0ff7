import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startRelay } from './helpers.js';
import { attackInChild, victimRound, type ChildAttack, type Target } from './attackers.js';

const RELAY = '127.0.8.1';
const ATTACKER = '127.0.5.1';
const ALICE = '127.0.6.1';
const BOB = '127.0.6.2';
const MiB = 1024 * 1024;

const attacks: ChildAttack[] = [];
afterEach(async () => {
  for (const a of attacks.splice(0)) await a.stop();
  await cleanup();
});

async function attack(target: Target, plan: { storage: number; idle: number }): Promise<ChildAttack> {
  const a = await attackInChild(target, ATTACKER, plan);
  attacks.push(a);
  return a;
}

/** `n` rounds of a person's use of the relay (register, upload a bundle, send, receive), one after another. */
async function victimRounds(target: Target, n: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < n; i++) {
    await victimRound(target, ALICE, BOB);
    done++;
  }
  return done;
}

describe('relay under attack from one address', () => {
  it('serves a newcomer while one address fills its store as fast as it can and holds 2,000 idle sockets', async () => {
    const relay = await startRelay(RELAY, { limits: { storedBytes: 24 * MiB, maxMailboxes: 4096, maxBlobs: 4096 } });
    const target = { ...relay.address(), publicKey: relay.publicKey };
    // Ready once the relay refused it mail, mailboxes and blobs, and each idle socket was accepted or turned away.
    const attacker = await attack(target, { storage: 16, idle: 2000 });

    expect(await victimRounds(target, 5)).toBe(5);
    const m = relay.metrics();
    expect(m.disconnects.SOURCE_BUSY).toBeGreaterThan(1000); // its idle sockets, turned away at once
    expect(m.stored.bytes).toBeLessThanOrEqual(16 * MiB); // its share, not the whole store
    expect(Object.keys(await attacker.stop())).toContain('mail:SOURCE_FULL');
  }, 120_000);

  it('lets a newcomer in when one address has filled the whole store, by evicting that address', async () => {
    const relay = await startRelay(RELAY, { limits: { storedBytes: 2 * MiB, sourceStoredBytes: 3 * MiB } });
    const target = { ...relay.address(), publicKey: relay.publicKey };
    const attacker = await attack(target, { storage: 8, idle: 0 });
    expect(attacker.refused['mail:RELAY_FULL']).toBeGreaterThan(0); // it filled the store

    expect(await victimRounds(target, 3)).toBe(3);
    expect(relay.metrics().drops.EVICTED).toBeGreaterThan(0);
  }, 120_000);
});
