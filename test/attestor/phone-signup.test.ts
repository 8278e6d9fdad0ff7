import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world } from '../helpers/people.js';
import { attestorWorld } from './helpers.js';

describe('sign-up by phone through the file SMS gateway', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  beforeAll(async () => {
    [w, a] = await Promise.all([world(6), attestorWorld()]);
  });
  afterAll(async () => {
    await Promise.all([w.close(), a.close()]);
  });

  it('national and international forms are the same person; unlinking makes them unfindable', async () => {
    const dana = await w.start('dana');
    const erin = await w.start('erin');
    const started = await dana.signup().startSignup({ attestor: a.url, kind: 'phone', identifier: '079 123 45 67', region: 'CH' });
    expect(started.kind).toBe('phone');
    await dana.signup().verifyCode(a.textedCode('+41791234567'));

    for (const [form, region] of [
      ['+41 79 123 45 67', undefined],
      ['0041 79 123 45 67', 'CH'],
      ['079-123-45-67', 'ch'],
      ['tel:+41791234567', undefined],
    ] as const) {
      const found = await erin.signup().lookup(form, { attestor: a.url, ...(region ? { region } : {}) });
      expect(found).toEqual({ identifier: '+41791234567', kind: 'phone', id: dana.id });
    }
    const csv = 'Name,Mobile Phone,E-mail Address\r\n"Dana, from work",079 123 45 67,\r\nFrank,+41 44 668 18 00,frank@example.org\r\n';
    const imported = await erin.signup().importContacts(csv, { region: 'CH' });
    expect(imported.matches).toEqual([{ identifier: '+41791234567', kind: 'phone', name: 'Dana, from work', id: dana.id }]);
    expect(imported).toMatchObject({ cards: 2, checked: 3, invalid: 0 });

    // A bigger address book reports progress batch by batch (the CLI shows it on a terminal).
    const progress: Array<[number, number]> = [];
    const many = ['Name,Mobile Phone', ...Array.from({ length: 300 }, (_, i) => `Friend ${i},079 555 ${String(i).padStart(4, '0')}`)].join('\r\n');
    const big = await erin.signup().importContacts(`${many}\r\nDana,079 123 45 67\r\n`, { region: 'CH', onProgress: (c, t) => progress.push([c, t]) });
    expect(big).toMatchObject({ cards: 301, checked: 301, matches: [expect.objectContaining({ id: dana.id })] });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every(([c, t], i) => t === 301 && c > (progress[i - 1]?.[0] ?? 0))).toBe(true);
    expect(progress.at(-1)).toEqual([301, 301]);

    const withdrawn = await dana.signup().unlink();
    expect(withdrawn).toEqual([expect.objectContaining({ kind: 'phone', state: 'withdrawn' })]);
    expect(await erin.signup().lookup('+41791234567')).toBeNull();
    expect(dana.signup().status()).toEqual([expect.objectContaining({ state: 'withdrawn' })]);
    await expect(dana.signup().unlink()).rejects.toMatchObject({ code: 'NOTHING_TO_UNLINK' });
  });
});
