import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Identity, randomBytes, SecretKey, type ParleyId } from '../../src/identity/index.js';
import {
  DhtError,
  dayOf,
  openRendezvous,
  pairSecret,
  rendezvousSlot,
  sealRendezvous,
  signable,
  VerifiedRendezvous,
  type MutableRecord,
  type RendezvousSlot,
} from '../../src/dht/index.js';

const NOW_MS = 1_750_000_000_000;
const NOW = NOW_MS / 1000;
const DAY = dayOf(NOW_MS);
const alice = Identity.generate().id;
const bob = Identity.generate().id;
const carol = Identity.generate().id;

const REACH = {
  relay: Buffer.from(JSON.stringify({ h: '127.0.2.1', p: 4000, k: 'k'.repeat(43) + '=', m: 'm'.repeat(43) + '=', b: 'b'.repeat(43) + '=' })),
  endpoint: '127.0.0.77:4100',
  transportKey: randomBytes(32),
  expiresAt: NOW + 2 * 86400,
};

function secretOf(a: ParleyId, b: ParleyId, ca = randomBytes(32), cb = randomBytes(32)): SecretKey {
  return pairSecret({ id: a, contribution: ca }, { id: b, contribution: cb });
}

/** The record as the slot's owner would put it in the DHT. */
function record(slot: RendezvousSlot, value: Buffer, seq = 1): MutableRecord {
  const signature = slot.keyPair.sign(signable(slot.salt, seq, value));
  return { publicKey: slot.keyPair.publicKey, salt: slot.salt, seq, value, signature };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (DhtError.is(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('rendezvous records', () => {
  it('both sides derive the same pair secret from the two contributions, whichever side computes it', () => {
    const ca = randomBytes(32);
    const cb = randomBytes(32);
    const onAlice = pairSecret({ id: alice, contribution: ca }, { id: bob, contribution: cb });
    const onBob = pairSecret({ id: bob, contribution: cb }, { id: alice, contribution: ca });
    expect(onAlice.expose().equals(onBob.expose())).toBe(true);
    // The same contribution with someone else gives another secret.
    expect(pairSecret({ id: alice, contribution: ca }, { id: carol, contribution: cb }).expose().equals(onAlice.expose())).toBe(false);
    expect(() => pairSecret({ id: alice, contribution: randomBytes(31) }, { id: bob, contribution: cb })).toThrow(DhtError);
  });

  it("round trips a reach, and each side's reading of the other's slot opens it", () => {
    const secret = secretOf(alice, bob);
    const mine = rendezvousSlot(secret, bob, alice, DAY);
    const theirs = rendezvousSlot(new SecretKey(Buffer.from(secret.expose())), bob, alice, DAY);
    expect(theirs.target().equals(mine.target())).toBe(true);
    const opened = openRendezvous(theirs, record(mine, sealRendezvous(mine, REACH), 7), NOW);
    expect(opened).toBeInstanceOf(VerifiedRendezvous);
    expect(opened.seq).toBe(7);
    expect(opened.relay?.equals(REACH.relay)).toBe(true);
    expect(opened.endpoint).toBe(REACH.endpoint);
    expect(opened.transportKey?.equals(REACH.transportKey)).toBe(true);
    const relayedOnly = openRendezvous(mine, record(mine, sealRendezvous(mine, { relay: REACH.relay, expiresAt: REACH.expiresAt })), NOW);
    expect(relayedOnly.endpoint).toBeUndefined();
    expect(relayedOnly.transportKey).toBeUndefined();
  });

  it('records of two days, two directions and two pairs are unlinkable: every key, salt and target differs, and none names an ID', () => {
    const ab = secretOf(alice, bob);
    const ac = secretOf(alice, carol);
    const slots = [
      rendezvousSlot(ab, alice, bob, DAY),
      rendezvousSlot(ab, alice, bob, DAY + 1),
      rendezvousSlot(ab, bob, alice, DAY),
      rendezvousSlot(ac, alice, carol, DAY),
      rendezvousSlot(ac, carol, alice, DAY + 1),
    ];
    for (const field of [(s: RendezvousSlot) => s.keyPair.publicKey, (s: RendezvousSlot) => s.salt, (s: RendezvousSlot) => s.target()]) {
      const hex = slots.map((s) => field(s).toString('hex'));
      expect(new Set(hex).size).toBe(slots.length);
    }
    for (const s of slots) {
      const value = sealRendezvous(s, REACH);
      const bytes = Buffer.concat([s.keyPair.publicKey, s.salt, value]);
      for (const id of [alice, bob, carol]) expect(bytes.includes(Buffer.from(id))).toBe(false);
      expect(bytes.includes(Buffer.from(REACH.endpoint))).toBe(false);
      expect(bytes.includes(REACH.transportKey)).toBe(false);
    }
    // A relayed-only reach and one with a direct endpoint are the same size: the record does not tell.
    const s = slots[0]!;
    expect(sealRendezvous(s, { relay: REACH.relay, expiresAt: REACH.expiresAt }).length).toBe(sealRendezvous(s, REACH).length);
  });

  it("opens only with the pair's secret, for that day and direction", () => {
    const secret = secretOf(alice, bob);
    const slot = rendezvousSlot(secret, alice, bob, DAY);
    const value = sealRendezvous(slot, REACH);
    // Someone else's secret, another day or the other direction derive other keys: the record's key
    // does not match, and with the right key but another box key the ciphertext does not open.
    for (const other of [
      rendezvousSlot(secretOf(alice, bob), alice, bob, DAY),
      rendezvousSlot(secret, alice, bob, DAY - 1),
      rendezvousSlot(secret, bob, alice, DAY),
    ]) {
      expect(codeOf(() => openRendezvous(other, record(slot, value), NOW))).toBe('WRONG_KEY');
      // Re-signed under the other slot's key (what a DHT node could do with a copied ciphertext):
      expect(codeOf(() => openRendezvous(other, record(other, value), NOW))).toBe('BAD_SCHEMA');
    }
  });

  it('refuses a tampered, forged, oversized or expired record', () => {
    const slot = rendezvousSlot(secretOf(alice, bob), alice, bob, DAY);
    const value = sealRendezvous(slot, REACH);
    const good = record(slot, value);
    expect(codeOf(() => openRendezvous(slot, good, NOW))).toBe('accepted');
    for (const at of [0, 30, value.length - 1]) {
      const flipped = Buffer.from(value);
      flipped[at]! ^= 0x01;
      // Re-signed by the slot key (either side of the pair could): the box still refuses it.
      expect(codeOf(() => openRendezvous(slot, record(slot, flipped), NOW))).toBe('BAD_SCHEMA');
      // Not re-signed: the signature refuses it first.
      expect(codeOf(() => openRendezvous(slot, { ...good, value: flipped }, NOW))).toBe('BAD_SIGNATURE');
    }
    expect(codeOf(() => openRendezvous(slot, { ...good, seq: 2 }, NOW))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => openRendezvous(slot, { ...good, salt: randomBytes(20) }, NOW))).toBe('BAD_SCHEMA');
    expect(codeOf(() => openRendezvous(slot, record(slot, randomBytes(997)), NOW))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => openRendezvous(slot, record(slot, value.subarray(0, 100)), NOW))).toBe('BAD_SCHEMA');
    expect(codeOf(() => openRendezvous(slot, good, REACH.expiresAt + 48 * 3600))).toBe('RECORD_EXPIRED');
  });

  it('refuses to seal a reach it could not carry, and prints no secret', () => {
    const slot = rendezvousSlot(secretOf(alice, bob), alice, bob, DAY);
    expect(codeOf(() => sealRendezvous(slot, { endpoint: REACH.endpoint, expiresAt: REACH.expiresAt }))).toBe('BAD_SCHEMA');
    expect(codeOf(() => sealRendezvous(slot, { relay: randomBytes(256), expiresAt: REACH.expiresAt }))).toBe('BAD_SCHEMA');
    expect(codeOf(() => rendezvousSlot(secretOf(alice, bob), alice, bob, -1))).toBe('BAD_SCHEMA');
    const opened = openRendezvous(slot, record(slot, sealRendezvous(slot, REACH)), NOW);
    for (const shown of [JSON.stringify({ slot, opened }), inspect({ slot, opened })]) {
      expect(shown).not.toContain(slot.boxKey().toString('hex'));
      expect(shown).not.toContain('127.0.0.77');
    }
  });
});
