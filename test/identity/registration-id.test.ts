import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Identity, loadIdentity, randomBytes, registrationIdFrom, REGISTRATION_ID_MAX, saveIdentity } from '../../src/identity/index.js';

/** A random source that hands out the given 16-bit draws first, then real randomness. */
function drawing(...values: number[]): (n: number) => Buffer {
  const queue = [...values];
  return (n) => {
    const v = n === 2 ? queue.shift() : undefined;
    if (v === undefined) return randomBytes(n);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return b;
  };
}

describe('registration IDs', () => {
  it('stay within 1..16380 whatever the random draws are', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 }), (draws) => {
        const id = registrationIdFrom(drawing(...draws));
        expect(id).toBeGreaterThanOrEqual(1);
        expect(id).toBeLessThanOrEqual(REGISTRATION_ID_MAX);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a new identity whose first draw is out of range still saves and loads (the key file used to be refused)', () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-regid-'));
    try {
      // The two 32-byte seeds come from real randomness; the 2-byte draws are 0x3fff, 0x0000, then 0x3ffc.
      const identity = Identity.generate(drawing(0x3fff, 0x0000, 0x3ffc));
      expect(identity.registrationId).toBe(REGISTRATION_ID_MAX);
      saveIdentity(home, identity);
      const loaded = loadIdentity(home);
      expect(loaded.id).toBe(identity.id);
      expect(loaded.registrationId).toBe(REGISTRATION_ID_MAX);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
