import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browsers.js';
import { apiWorld, type Person } from './helpers.js';

const SHOTS = join(process.cwd(), 'test-artifacts', 'ui');

describe('the web UI in a real browser (Debian chromium)', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 1);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  async function onboard(page: Page, person: Person, name: string): Promise<string> {
    await page.goto(person.api.openUrl);
    await expect.poll(() => page.url()).not.toContain('token='); // the token leaves the address bar
    await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor();
    await page.getByText('Only people you give your Parley ID to can find you').waitFor();
    await page.getByLabel(/Display name/).fill(name);
    await shot(page, `${name.toLowerCase()}-1-onboarding`);
    await page.getByRole('button', { name: 'Create my identity' }).click();
    await page.getByRole('button', { name: 'My ID' }).click();
    const id = (await page.getByLabel('Your ID').textContent())!.trim();
    await page.getByAltText('QR code of your parley: link').waitFor({ state: 'visible' });
    await shot(page, `${name.toLowerCase()}-2-my-id`);
    await page.keyboard.press('Escape');
    return id;
  }

  async function addContact(page: Page, id: string, name: string): Promise<void> {
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel(/Their Parley ID/).fill(`parley:${id}`);
    await page.getByLabel(/^Name/).fill(name);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  }

  it('Alice and Bob onboard, exchange IDs, chat through two relays, see the receipt, and verify the safety number', async () => {
    const a = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const b = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const aliceId = await onboard(a, alice, 'Alice');
    const bobId = await onboard(b, bob, 'Bob');
    expect(aliceId).toMatch(/^[a-z0-9]{52}$/);
    await addContact(a, bobId, 'Bob');
    await addContact(b, aliceId, 'Alice');

    // Alice makes sure Bob never sees her IP.
    await a.getByRole('button', { name: 'Settings' }).click();
    await a.getByLabel(/No: go through relays/).check();
    await a.getByText('Bob never sees your IP address').waitFor({ timeout: 5000 });
    await shot(a, 'alice-3-visibility');
    await a.keyboard.press('Escape');
    await expect.poll(async () => (await alice.client.contact(bobId)).visibility).toBe('relayed');

    // They chat; Enter sends.
    await a.getByLabel('Message to Bob').fill('Hello Bob, this is Alice.');
    await a.keyboard.press('Enter');
    await b.getByRole('log', { name: 'Messages' }).getByText('Hello Bob, this is Alice.').waitFor({ timeout: 30_000 });
    await b.getByLabel('Message to Alice').fill('Hi Alice! Bob here.');
    await b.getByRole('button', { name: 'Send' }).click();
    await a.getByRole('log', { name: 'Messages' }).getByText('Hi Alice! Bob here.').waitFor({ timeout: 30_000 });
    await a.getByRole('log', { name: 'Messages' }).getByText('Delivered').first().waitFor({ timeout: 30_000 });
    await shot(a, 'alice-4-chat');
    await shot(b, 'bob-4-chat');

    // The route receipt of Alice's message: two relays, and no IP of Bob for Alice.
    await a
      .getByRole('button', { name: /Route: 2 relays/ })
      .first()
      .click();
    const receipt = a.getByRole('dialog', { name: 'Route receipt' });
    await receipt.waitFor();
    const text = (await receipt.textContent())!;
    expect(text).toContain('This message went 2 relays to Bob');
    expect(text).toContain('Bob: no IP address');
    expect(text).toContain('You: no IP address of Bob');
    expect(text).toContain("Bob's relay: Bob's IP address");
    await shot(a, 'alice-5-route-receipt');
    // No address of Bob's anywhere on Alice's page. (Relays may be named: relay 1, Bob's, is also her
    // DHT exit, which the receipt and the privacy summary name; issue 13 §8.)
    expect(await a.content()).not.toContain((await bob.client.network()).listening!.host);
    await a.keyboard.press('Escape');
    expect(await a.getByLabel('Privacy of this conversation').textContent()).toContain('Route: 2 relays');

    // Bob verifies the safety number, which is the same on both sides.
    await a.getByRole('button', { name: 'Safety number' }).click();
    const aliceNumber = (await a.getByLabel('Safety number', { exact: true }).textContent())!.trim();
    await a.keyboard.press('Escape');
    await b.getByRole('button', { name: 'Safety number' }).click();
    const bobNumber = (await b.getByLabel('Safety number', { exact: true }).textContent())!.trim();
    expect(bobNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(bobNumber).toBe(aliceNumber);
    await b.getByRole('button', { name: 'Mark as verified' }).click();
    await b.getByText('✓ Verified').waitFor();
    await shot(b, 'bob-6-safety-number');
    await b.keyboard.press('Escape');
    await b.getByText('Safety number verified').waitFor();

    // Search finds the message and highlights the word.
    await b.getByPlaceholder('Search messages').fill('alic');
    await b.getByRole('list', { name: 'Search results' }).locator('mark', { hasText: 'Alice' }).first().waitFor();
    await shot(b, 'bob-7-search');

    // Keyboard only: Tab reaches "My ID", Enter opens it, Escape closes it and gives focus back.
    await b.locator('body').focus();
    let guard = 0;
    while ((await b.evaluate(() => document.activeElement?.textContent)) !== 'My ID' && guard++ < 20) await b.keyboard.press('Tab');
    await b.keyboard.press('Enter');
    await b.getByRole('dialog', { name: 'Your Parley ID' }).waitFor();
    await b.keyboard.press('Escape');
    await b.getByRole('dialog', { name: 'Your Parley ID' }).waitFor({ state: 'hidden' });
    expect(await b.evaluate(() => document.activeElement?.textContent)).toBe('My ID');

    // Phone width: the conversation takes the whole screen, with a way back.
    await a.setViewportSize({ width: 390, height: 800 });
    await a.getByRole('navigation', { name: 'Conversations' }).waitFor({ state: 'hidden' });
    await shot(a, 'alice-8-phone');
    await a.getByRole('button', { name: 'Back to conversations' }).click();
    await a.getByRole('navigation', { name: 'Conversations' }).waitFor({ state: 'visible' });
    expect(await a.getByRole('main', { name: 'Conversation with Bob' }).isVisible()).toBe(false);
  }, 180_000);
});
