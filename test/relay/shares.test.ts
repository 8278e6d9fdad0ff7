import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../src/relay/limits.js';
import { SourceShares } from '../../src/relay/shares.js';

describe('a relay store shared out by source', () => {
  it('keeps a bounded list for a source that always holds an item while its later items come and go', () => {
    const shares = new SourceShares(resolveLimits({ storedBytes: 10_000_000, sourceStoredBytes: 1_000_000 }));
    // One item waits for an offline owner; live mail is stored and acked behind it, 20,000 times.
    shares.reserve('sender', 200, () => {});
    for (let i = 0; i < 20_000; i++) shares.release(shares.reserve('sender', 200, () => {}));
    expect(shares.chargesKept('sender')).toBeLessThan(600);
    expect(shares.used).toBe(200 + resolveLimits().itemOverheadBytes);
  });

  it('still evicts the oldest item a heavy source holds after its list was compacted', () => {
    const shares = new SourceShares(resolveLimits({ storedBytes: 60_000, sourceStoredBytes: 60_000, itemOverheadBytes: 0 }));
    const evicted: number[] = [];
    // Groups of four items, three of each released at once (out of order behind the first).
    for (let g = 0; g < 1000; g++) {
      shares.reserve('heavy', 50, () => evicted.push(g));
      for (let k = 0; k < 3; k++) shares.release(shares.reserve('heavy', 50, () => evicted.push(-1)));
    }
    expect(shares.chargesKept('heavy')).toBeLessThan(2000);
    // The heavy source holds 50,000 B of the 60,000: a newcomer filling the store makes room.
    for (let i = 0; i < 300; i++) shares.reserve('newcomer', 50, () => {});
    expect(evicted.slice(0, 3)).toEqual([0, 1, 2]);
  });
});
