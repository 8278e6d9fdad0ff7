import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browsers.js';
import { codeIn } from '../../src/testnet/index.js';
import { apiWorld, type Person } from './helpers.js';

const SHOTS = join(process.cwd(), 'test-artifacts', 'ui');

describe('sign-up by email and finding friends from a vCard, in the browser', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let carol: Person;
  let dave: Person;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    w = await apiWorld({ relays: 2, attestor: true });
    carol = await w.person('carol', 0);
    dave = await w.person('dave', 1);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await w.close();
  });
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const nextCode = () => new Promise<string>((resolve) => w.net.attestor!.sink.once('mail', (m: { raw: string }) => resolve(codeIn(m.raw)!)));

  it('Carol signs up with her email; Dave imports a vCard, finds her, adds her and writes', async () => {
    const c = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await c.goto(carol.api.openUrl);
    await c.getByLabel(/With my email address/).check();
    expect(await c.getByText('The attestor emails you a code to check the address is yours, then forgets it').isVisible()).toBe(true);
    await c.getByLabel(/Display name/).fill('Carol');
    await shot(c, 'carol-1-onboarding-email');
    await c.getByRole('button', { name: 'Create my identity' }).click();
    await c.getByLabel('Email address', { exact: true }).fill('not-an-address');
    await c.getByRole('button', { name: 'Send me a code' }).click();
    expect(await c.getByLabel('Email address', { exact: true }).evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(false); // the form says so first
    await c.getByLabel('Email address', { exact: true }).fill('carol@example'); // passes the form, not the attestor
    await c.getByRole('button', { name: 'Send me a code' }).click();
    await c.getByRole('alert').waitFor();
    expect(await c.getByRole('alert').textContent()).toMatch(/not an email address/i);
    const code = nextCode();
    await c.getByLabel('Email address', { exact: true }).fill('Carol.Example@Mail.Example.org');
    await c.getByRole('button', { name: 'Send me a code' }).click();
    await c.getByLabel('Code', { exact: true }).fill(await code);
    await shot(c, 'carol-2-code');
    await c.getByRole('button', { name: 'Confirm' }).click();
    await c.getByRole('button', { name: 'My ID' }).waitFor();
    const carolId = (await carol.client.state()).me!.id;

    const d = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await d.goto(dave.api.openUrl);
    await d.getByLabel(/Display name/).fill('Dave');
    await d.getByRole('button', { name: 'Create my identity' }).click();
    await d.getByRole('button', { name: 'Find friends' }).click();
    const vcard = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Carol Example',
      'EMAIL;TYPE=home:carol.example@mail.example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Nobody Here',
      'EMAIL:nobody@example.org',
      'TEL:+41 44 668 18 00',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Broken',
      'EMAIL:not an address',
      'END:VCARD',
    ].join('\r\n');
    await d.getByLabel(/Or import your contacts/).setInputFiles({ name: 'contacts.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcard) });
    const result = d.getByRole('region', { name: 'Import result' });
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/3 contacts, 3 addresses and numbers checked: 1 on Parley; 1 entry was not a valid address or number/);
    await shot(d, 'dave-1-import-result');
    await result.getByRole('button', { name: 'Add Carol' }).click();
    await result.getByText('in your contacts').waitFor();
    await d.keyboard.press('Escape');
    expect((await dave.client.contacts()).map((x) => x.id)).toEqual([carolId]);

    await d.getByRole('button', { name: /Carol Example/ }).click();
    await d.getByLabel('Message to Carol Example').fill('Found you through your email, Carol!');
    await d.keyboard.press('Enter');
    await c.getByText('Contact requests').waitFor({ timeout: 30_000 });
    await c.getByRole('button', { name: 'Accept' }).click();
    // Accepting opens the conversation, with the cursor in the composer.
    await c.getByRole('log', { name: 'Messages' }).getByText('Found you through your email, Carol!').waitFor();
    expect(await c.evaluate(() => document.activeElement?.id)).toBe('composer');
    await shot(c, 'carol-3-request-accepted');

    // Carol goes back to incognito: she can no longer be found by her address.
    await c.getByRole('button', { name: 'My ID' }).click();
    await c.getByText('By your email address').waitFor();
    await c.getByRole('button', { name: 'Unlink' }).click();
    await c.getByRole('region', { name: 'How people find you' }).getByText('Only people you give your Parley ID to can find you').waitFor();
    expect((await dave.client.find('carol.example@mail.example.org')).match).toBe(null);
  }, 180_000);
});
