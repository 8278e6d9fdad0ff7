import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Identity } from '../../src/identity/index.js';
import { launchChromium } from '../helpers/browsers.js';
import { leaks, needlesOf } from '../helpers/leaks.js';
import { apiWorld, type Person } from './helpers.js';

/*
 * Disappearing messages, replies, deletes for everyone, the outbox's cancel and named requests, in
 * real Chromium, each person with their own page. The timers run out on a clock the test moves
 * forward (NodeOptions.expiryNow): the positive signal is the message leaving both pages, then
 * every file of both homes is searched for its words.
 */
describe('everyday messaging in the web UI (Debian chromium)', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let aliceId: string;
  let bobId: string;
  let pageA: Page;
  let pageB: Page;
  let shift = 0;
  const clock = () => Date.now() + shift;

  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0, { expiryNow: clock });
    bob = await w.person('bob', 0, { expiryNow: clock });
    aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await bob.client.addContact({ id: aliceId, name: 'Alice' });
    browser = await launchChromium();
    pageA = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    pageB = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await pageA.goto(alice.api.openUrl);
    await pageB.goto(bob.api.openUrl);
    await pageA.getByRole('button', { name: /^Bob/ }).click();
    await pageB.getByRole('button', { name: /^Alice/ }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });

  const log = (p: Page) => p.getByRole('log', { name: 'Messages' });
  const write = async (p: Page, text: string) => {
    await p.locator('#composer').fill(text);
    await p.keyboard.press('Enter');
  };

  it('a disappearing timer set on one side is shown on both, and when it runs out the text is in no file of either home', async () => {
    await pageA.getByRole('button', { name: 'Settings' }).click();
    await pageA.getByLabel('Disappearing messages').selectOption('300');
    await pageA.keyboard.press('Escape');
    await pageA.getByText('Messages disappear after 5 minutes').waitFor();
    await log(pageA).getByText('You set disappearing messages to 5 minutes').waitFor();
    await log(pageB).getByText('Alice set disappearing messages to 5 minutes').waitFor({ timeout: 30_000 });
    await pageB.getByText('Messages disappear after 5 minutes').waitFor();

    const secret = 'the gooseberry courier leaves from platform nine';
    const answer = 'noted, the tamarind envelope waits downstairs';
    await write(pageA, secret);
    await log(pageB).getByText(secret).waitFor({ timeout: 30_000 });
    await write(pageB, answer);
    await log(pageA).getByText(answer).waitFor({ timeout: 30_000 });
    const needles = { ...needlesOf(secret), ...needlesOf(answer) };
    for (const p of [alice, bob]) expect(leaks(p.home, needles).length, p.home).toBeGreaterThan(0); // the scan sees them while they live

    shift = 301_000;
    for (const p of [pageA, pageB]) {
      await log(p).getByText(secret).waitFor({ state: 'detached', timeout: 15_000 });
      await log(p).getByText(answer).waitFor({ state: 'detached', timeout: 15_000 });
    }
    for (const p of [alice, bob]) {
      expect(await p.client.search('gooseberry')).toEqual([]);
      expect(leaks(p.home, needles), p.home).toEqual([]);
    }
    shift = 0;
    await alice.client.setDisappearing(bobId, 0);
    await log(pageB).getByText('Alice turned off disappearing messages').waitFor({ timeout: 30_000 });
  });

  it('a reply shows the quote of its original, and a click on the quote brings the original into view', async () => {
    const original = 'which train do we take on friday morning';
    await write(pageA, original);
    await log(pageB).getByText(original).waitFor({ timeout: 30_000 });
    await log(pageB).locator('article', { hasText: original }).getByRole('button', { name: 'Reply' }).click();
    await pageB.getByText(`Replying to: ${original}`).waitFor();
    // Meanwhile Alice writes on: by the time the reply comes, the original is far out of view.
    for (let i = 0; i < 30; i++) await alice.client.send(bobId, `filler ${i} `.repeat(8));
    await log(pageB).getByText('filler 29', { exact: false }).waitFor({ timeout: 30_000 });
    await write(pageB, 'the 7:40, platform two');

    const quote = log(pageA).getByRole('button', { name: `Reply to: ${original}. Show the original` });
    await quote.waitFor({ timeout: 30_000 });
    await quote.click();
    const shown = log(pageA).locator('article[aria-current="true"]');
    await expect.poll(() => shown.textContent()).toContain(original);
    const box = (await shown.boundingBox())!;
    expect(box.y).toBeGreaterThan(0);
    expect(box.y + box.height).toBeLessThan(800);
  });

  it('a message deleted for everyone says so on both sides, and its words leave the other home too', async () => {
    const regret = 'the pomegranate password is hunter two';
    await write(pageA, regret);
    await log(pageB).getByText(regret).waitFor({ timeout: 30_000 });
    const bubble = log(pageA).locator('article', { hasText: regret });
    await bubble.getByRole('button', { name: 'Delete' }).click();
    await pageA.getByRole('button', { name: 'Delete for everyone' }).click();
    await log(pageA).getByText('You deleted this message').waitFor();
    await log(pageB).getByText('This message was deleted').waitFor({ timeout: 30_000 });
    expect(await log(pageB).getByText(regret).count()).toBe(0);
    for (const p of [alice, bob]) expect(leaks(p.home, needlesOf(regret)), p.home).toEqual([]);
  });

  it('a message to an ID nobody uses says why it waits, in plain words, and can be cancelled', async () => {
    const nobody = Identity.generate().id;
    await alice.client.addContact({ id: nobody, name: 'Nobody' });
    await pageA.getByRole('button', { name: /^Nobody/ }).click();
    await write(pageA, 'is anyone there');
    const bubble = log(pageA).locator('article', { hasText: 'is anyone there' });
    await expect.poll(() => bubble.textContent(), { timeout: 60_000 }).toContain('nobody uses this ID right now');
    await bubble.getByRole('button', { name: 'Cancel sending' }).click();
    await bubble.waitFor({ state: 'detached' });
    expect(await alice.client.outbox()).toEqual([]);
  });

  it('a request shows the name the stranger offers as unverified, and the receiver names them on accept', async () => {
    const carol = await w.person('carol', 0);
    await carol.client.onboard({ mode: 'incognito', name: 'Carol' });
    await carol.client.addContact({ id: aliceId });
    await carol.client.send(aliceId, 'hello, we met at the conference');
    const request = pageA.getByRole('region', { name: 'Contact requests' });
    await request.getByText('says they are Carol (not verified)').waitFor({ timeout: 30_000 });
    await request.getByLabel('Name them').fill('Carol from the conference');
    await request.getByRole('button', { name: 'Accept' }).click();
    await pageA.getByRole('heading', { name: 'Carol from the conference', level: 1 }).waitFor();
  });
});
