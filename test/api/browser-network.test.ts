import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browsers.js';
import { apiWorld, type Person } from './helpers.js';

/* The web UI's Network panel: the relays in use and for what, and excluding one (Debian chromium). */
describe('the Network panel', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  beforeAll(async () => {
    w = await apiWorld({ relays: 1 });
    alice = await w.person('alice', 0);
    await alice.client.onboard({ mode: 'incognito', name: 'Alice' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });

  it('lists the relay in use as guard and intro mailbox, and an exclusion is saved for the next start', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(alice.api.openUrl);
    await page.getByRole('button', { name: 'Network' }).click();
    const relay = w.net.relays[0]!;
    const item = page.getByRole('list', { name: 'Relays' }).getByRole('listitem');
    await expect.poll(() => item.textContent()).toContain(`${relay.host}:${relay.port}`);
    expect(await item.textContent()).toContain('in use: guard (sees your IP), intro mailbox');
    await expect.poll(() => page.getByRole('dialog', { name: 'Network' }).textContent()).toMatch(/DHT\s*\d+ nodes known/);
    await item.getByRole('button', { name: 'Exclude' }).click();
    await page.getByRole('status').filter({ hasText: 'takes effect the next time Parley starts' }).waitFor();
    expect((await alice.client.relays()).find((r) => r.publicKey === relay.publicKey)?.excluded).toBe(true);
    await item.getByRole('button', { name: 'Allow' }).waitFor();
  });
});
