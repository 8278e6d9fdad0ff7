import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { launchFirefox } from '../helpers/browsers.js';
import { until } from '../helpers/until.js';
import { apiWorld, type Person } from './helpers.js';

/*
 * The web UI in Debian's Firefox ESR. Playwright drives only its own patched Firefox, so this test
 * speaks WebDriver BiDi (Firefox's standard automation protocol) through puppeteer-core to the
 * stock browser. It covers what differs between engines: the token handed over in the URL
 * fragment and kept in sessionStorage, the WebSocket with the token as a subprotocol, the strict
 * CSP (a violation is a console error here), native <dialog>, the QR image, and phone width.
 */

const SHOTS = join(process.cwd(), 'test-artifacts', 'ui-firefox');

describe('the web UI in a real browser (Debian firefox-esr)', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 1);
    browser = await launchFirefox();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) as `${string}.png` });
  /** The visible element with this accessible name (and role, if given). */
  const aria = (page: Page, name: string, role?: string, timeout = 15_000) =>
    page.waitForSelector(`::-p-aria([name=${JSON.stringify(name)}]${role ? `[role="${role}"]` : ''})`, { visible: true, timeout }) as Promise<
      ElementHandle<Element>
    >;
  const text = (el: ElementHandle<Element>) => el.evaluate((e) => e.textContent ?? '');

  it('Alice onboards, adds Bob, chats live over the WebSocket, reads the route receipt, and it fits a phone', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));

    // The token arrives in the fragment and leaves the address bar at once.
    await page.goto(alice.api.openUrl);
    await aria(page, 'Welcome to Parley', 'heading');
    expect(page.url()).not.toContain(alice.token);
    expect(await page.evaluate(() => Object.keys(sessionStorage).length)).toBeGreaterThan(0);
    await (await page.waitForSelector('input[name="name"]'))!.type('Alice');
    await shot(page, 'alice-1-onboarding');
    await (await aria(page, 'Create my identity', 'button')).click();

    // My ID with its QR code (a data: image under the CSP).
    await (await aria(page, 'My ID', 'button')).click();
    const aliceId = (await text(await aria(page, 'Your ID'))).trim();
    expect(aliceId).toMatch(/^[a-z0-9]{52}$/);
    const qr = await page.waitForSelector('img[alt="QR code of your parley: link"]', { visible: true });
    await until(() => qr!.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), 'the QR code image to load');
    await shot(page, 'alice-2-my-id');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });

    // A reload keeps the session (sessionStorage), no token in the address needed.
    await page.reload();
    await aria(page, 'My ID', 'button');

    // Alice adds Bob in the UI; Bob adds her through his API.
    const bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await (await aria(page, 'Add contact', 'button')).click();
    await (await page.waitForSelector('input[name="contact-id"]', { visible: true }))!.type(`parley:${bobId}`);
    await (await page.waitForSelector('input[name="contact-name"]'))!.type('Bob');
    await (await aria(page, 'Add', 'button')).click();
    await aria(page, 'Bob', 'heading');
    await bob.client.addContact({ id: aliceId, name: 'Alice' });

    // Chat: Enter sends; Bob's reply appears without a reload (the WebSocket event).
    await (await page.waitForSelector('#composer', { visible: true }))!.type('Hello Bob, from Firefox.');
    await page.keyboard.press('Enter');
    await until(async () => (await bob.client.messages(aliceId)).some((m) => m.body === 'Hello Bob, from Firefox.'), "Alice's message to reach Bob", 30_000);
    await bob.client.send(aliceId, 'Hi Alice, Bob here.');
    const log = await aria(page, 'Messages', 'log');
    await until(async () => (await text(log)).includes('Hi Alice, Bob here.'), "Bob's reply to show in Alice's Firefox", 30_000);
    await until(async () => (await text(log)).includes('Delivered'), 'a Delivered mark in Firefox', 30_000);
    await shot(page, 'alice-3-chat');

    // The route receipt in a native <dialog>: Alice's relay, then Bob's, and no IP of Bob for Alice.
    await (await page.waitForSelector('button.route-badge', { visible: true }))!.click();
    const receipt = await aria(page, 'Route receipt', 'dialog');
    const receiptText = await text(receipt);
    expect(receiptText).toContain('This message went 2 relays to Bob');
    expect(receiptText).toContain('You: no IP address of Bob');
    // No address of Bob's (his relay is also Alice's DHT exit, which the receipt names: issue 13 §8).
    expect(await page.content()).not.toContain((await bob.client.network()).listening!.host);
    await shot(page, 'alice-4-route-receipt');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });

    // Bob's reply shows the whole way too: his relay (his half, as his device stated it), then hers.
    const badges = await page.$$('button.route-badge');
    expect(badges).toHaveLength(2);
    expect(await badges[1]!.evaluate((b) => b.getAttribute('aria-label'))).toBe('Route: 2 relays. Show the route receipt');
    await badges[1]!.click();
    const incoming = await text(await aria(page, 'Route receipt', 'dialog'));
    expect(incoming).toContain('This message went 2 relays from Bob');
    expect(incoming).toContain("Bob's relay: Bob's IP address");
    expect(incoming).toContain('Your relay: your IP address');
    expect(incoming).toContain("Bob's half is what Bob's device stated");
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });

    // Phone width: no sideways scrolling; the conversation fills the screen with a way back.
    await page.setViewport({ width: 375, height: 740 });
    await aria(page, 'Back to conversations', 'button');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot(page, 'alice-5-phone');
    await (await aria(page, 'Back to conversations', 'button')).click();
    await aria(page, 'Conversations', 'navigation');

    // Nothing the browser complained about: no CSP violation, no script error.
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
