import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MAX_TEXT_BYTES } from '../../src/wire/limits.js';
import { MAX_MESSAGE_BYTES } from '../../src/api/limits.js';
import { launchChromium } from '../helpers/browsers.js';
import { apiWorld, type Person } from './helpers.js';

/*
 * The everyday edges a newcomer hit, in real Chromium: the sidebar follows what was sent and received,
 * the tab says whose Parley it is and how much is unread, a phone-sized screen has no sideways scroll,
 * the composer says when a message is too long, mixed scripts lay out by their own direction, a search
 * hit opens at the hit, notifications say only "New message", and a tab without the key has a way in.
 */
describe('everyday use of the web UI (Debian chromium)', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let context: BrowserContext;
  let alice: Person;
  let bob: Person;
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 0);
    aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await bob.client.addContact({ id: aliceId, name: 'Alice' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    // Lets the test hide the tab, and records the notifications the page makes (the real constructor still runs).
    await context.addInitScript(() => {
      const w = window as unknown as { __hidden: boolean; __notes: string[] };
      w.__hidden = false;
      w.__notes = [];
      Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.__notes.push(`${title}|${options?.body ?? ''}`);
        }
      } as typeof Notification;
    });
    await context.grantPermissions(['notifications'], { origin: alice.api.url.replace(/\/$/, '') });
  });
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });

  const bobWrites = async (text: string) => {
    const m = await bob.client.send(aliceId, text);
    await expect.poll(async () => (await bob.client.messages(aliceId, { limit: 50 })).find((x) => x.id === m.id)?.state, { timeout: 30_000 }).toBe('delivered');
  };

  let page: Page;
  it('after adding a contact the cursor is in the composer, and the sidebar shows what was just sent', async () => {
    page = await context.newPage();
    await page.goto(alice.api.openUrl);
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel(/Their Parley ID/).fill(bobId);
    await page.getByLabel(/^Name/).fill('Bob');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'Bob', level: 1 }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('composer');
    await page.keyboard.type('first words');
    await page.keyboard.press('Enter');
    const row = page.getByRole('button', { name: /^Bob/ });
    await expect.poll(() => row.textContent()).toContain('You: first words');
    expect(await row.getAttribute('aria-label')).toBe('Bob'); // the name only, not the whole preview
    await expect.poll(() => page.title()).toBe('Parley — Alice');
  });

  it('unread messages count in the tab title, and a hidden tab gets a notification that says only "New message"', async () => {
    await page.getByRole('button', { name: 'My ID' }).click();
    await page.getByLabel('On, saying only "New message"').check();
    await page.keyboard.press('Escape');
    await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    // Alice's conversation with Bob is open but the tab is hidden: the message counts as unread.
    await bobWrites('a secret plan');
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('(1) Parley — Alice');
    const notes = await page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    expect(notes).toEqual(['Parley|New message']);
    expect(notes.join()).not.toContain('secret');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
    await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));
  });

  it('"reachable directly by strangers" is off, says what it would publish, and the choice reaches the node', async () => {
    await page.getByRole('button', { name: 'My ID' }).click();
    const box = page.getByRole('checkbox', { name: 'Reachable directly by strangers' });
    expect(await box.isChecked()).toBe(false);
    await page.getByText(/^Off: your IP address is in no public record/).waitFor();
    await box.check();
    await page
      .getByRole('alert')
      .filter({ hasText: /your public record names your IP address/ })
      .waitFor();
    await expect.poll(() => alice.daemon.node!.reachableByStrangers()).toBe(true);
    await box.uncheck();
    await page.getByText(/^Off: your IP address is in no public record/).waitFor();
    await expect.poll(() => alice.daemon.node!.reachableByStrangers()).toBe(false);
    await page.keyboard.press('Escape');
  });

  it('mixed scripts lay out by their own direction; one day separator heads the day', async () => {
    await page.getByRole('button', { name: /^Bob/ }).click();
    await bobWrites('שלום Alice, מה שלומך?');
    const bubble = page.getByRole('log', { name: 'Messages' }).getByText('שלום Alice', { exact: false });
    await bubble.waitFor();
    expect(await bubble.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    const english = page.getByRole('log', { name: 'Messages' }).getByText('first words');
    expect(await english.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    expect(await page.getByRole('separator', { name: 'Today' }).count()).toBe(1);
  });

  it('the composer counts down near the limit and refuses a message that is too long, in plain words', async () => {
    expect(MAX_MESSAGE_BYTES).toBe(MAX_TEXT_BYTES);
    const composer = page.getByLabel('Message to Bob');
    await composer.fill('a'.repeat(MAX_MESSAGE_BYTES - 10));
    await expect.poll(() => page.locator('#composer-room').textContent()).toBe('10 left');
    await composer.fill('é'.repeat(MAX_MESSAGE_BYTES / 2 + 1)); // two bytes each
    await expect.poll(() => page.locator('#composer-room').textContent()).toBe('Too long by 2: shorten it or send it in two parts.');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await composer.fill('');
  });

  it('a search hit opens the conversation at that message, highlighted, and says who wrote it', async () => {
    for (let i = 0; i < 40; i++) await alice.client.send(bobId, `filler message ${i} `.repeat(6));
    await page.getByPlaceholder('Search messages').fill('secret');
    const hit = page.getByRole('list', { name: 'Search results' }).getByRole('button');
    await expect.poll(() => hit.textContent()).toContain('Bob wrote');
    await hit.click();
    const focused = page.locator('article[aria-current="true"]');
    await focused.waitFor();
    expect(await focused.textContent()).toContain('a secret plan');
    const box = (await focused.boundingBox())!;
    expect(box.y).toBeGreaterThan(0);
    expect(box.y + box.height).toBeLessThan(800);
  });

  it('at 375 px nothing scrolls sideways and the conversation header stays small', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      nav: document.querySelector('.sidebar')!.getBoundingClientRect().width,
    }));
    expect(widths.doc).toBeLessThanOrEqual(375);
    expect(widths.nav).toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: /^Bob/ }).click();
    const header = (await page.locator('.conv-header').boundingBox())!;
    expect(header.height).toBeLessThan(740 / 8);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  it('a tab without the key offers to paste the link, and then works', async () => {
    const fresh = await browser.newPage();
    await fresh.goto(alice.api.url);
    await fresh.getByLabel(/The link from/).fill('http://127.0.0.1/#token=short');
    await fresh.getByRole('button', { name: 'Open Parley' }).click();
    await fresh.getByRole('alert').waitFor();
    expect(await fresh.getByRole('alert').textContent()).toMatch(/not the link Parley printed/);
    await fresh.getByLabel(/The link from/).fill(alice.api.openUrl);
    await fresh.getByRole('button', { name: 'Open Parley' }).click();
    await fresh.getByRole('button', { name: /^Bob/ }).waitFor();
    await fresh.close();
  });
});
