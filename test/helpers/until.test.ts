import { describe, expect, it } from 'vitest';
import { until } from './until.js';

describe('until', () => {
  it('returns what the probe answered once it is something', async () => {
    let n = 0;
    expect(await until(() => (++n >= 3 ? { n } : undefined), 'a third try')).toEqual({ n: 3 });
  });

  it('says on timeout what it waited for and what it last saw', async () => {
    let n = 0;
    await expect(
      until(
        () => (n++, false),
        () => `the count to reach 10 (it is ${n})`,
        50,
      ),
    ).rejects.toThrow(/^Timed out after 50 ms waiting for the count to reach 10 \(it is \d+\); it answered false\.$/);
    await expect(until(() => Promise.reject(new Error('connection refused')), 'the server', 50)).rejects.toThrow(
      'Timed out after 50 ms waiting for the server; it threw connection refused.',
    );
  });
});
