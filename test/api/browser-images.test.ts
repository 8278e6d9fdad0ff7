import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { FileClient } from '../../src/api/index.js';
import { launchChromium } from '../helpers/browsers.js';
import { until } from '../helpers/until.js';
import { photoWithGps, whatItTells } from '../helpers/images.js';
import { apiWorld, type Person } from './helpers.js';

/*
 * Images in real Chromium: a photo with GPS attached in Alice's page shows in Bob's page as a
 * preview (drawn by the browser from the sender's thumbnail), and the file Bob downloads has no
 * location or camera details. Deleted for everyone, it leaves Bob's page too.
 */
describe('images in the web UI (Debian chromium)', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let aliceId: string;
  let bobId: string;
  const upload = join(tmpdir(), `parley-up-${process.pid}-beach.jpg`);

  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 0);
    aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await bob.client.addContact({ id: aliceId, name: 'Alice' });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    rmSync(upload, { force: true });
    await browser?.close();
    await w.close();
  });

  const files = (p: Person) => new FileClient(p.api.url, p.token);
  async function open(p: Person, other: string): Promise<Page> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(p.api.openUrl);
    await page.getByRole('button', { name: new RegExp(`^${other}`) }).click();
    await page.getByRole('heading', { name: other, level: 1 }).waitFor();
    return page;
  }

  it('a photo arrives showing its preview, and the downloaded file has no GPS; deleted for everyone it goes from both pages', async () => {
    const photo = await photoWithGps();
    expect(await whatItTells(photo)).toMatchObject({ gps: true, camera: true });
    writeFileSync(upload, photo);

    const alicePage = await open(alice, 'Bob');
    // Beside the attach button: what happens to an image, and the choice to keep its details.
    await alicePage.getByText('Location and camera details are removed from images.').waitFor();
    const keep = alicePage.getByRole('checkbox', { name: /Keep location and camera details/ });
    expect(await keep.isChecked()).toBe(false);
    // Ticked, it says loudly what it gives away; the test unticks it again before attaching.
    await keep.check();
    await alicePage.getByText('whoever gets them can read where they were taken (GPS)', { exact: false }).waitFor();
    await keep.uncheck();
    await alicePage.getByText('Location and camera details are removed from images.').waitFor();
    await alicePage.locator('.attach input[type=file]').setInputFiles(upload);
    const sent = await until(async () => (await files(alice).list(bobId))[0], 'the upload to be taken in');
    expect(sent).toMatchObject({ metadata: 'removed', thumbnail: true });

    const bobPage = await open(bob, 'Alice');
    const got = await until(
      async () => (await files(bob).list(aliceId)).find((f) => f.id === sent.id && f.state === 'complete'),
      'the photo to arrive',
      60_000,
    );
    const row = bobPage.locator(`li[data-file-id="${got.id}"]`);
    const preview = row.getByRole('img', { name: `Preview of ${got.name}` });
    await preview.waitFor({ timeout: 30_000 });
    // The browser decoded it: an upright preview of at most 320 px.
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 240, 320]);
    const res = await fetch(`${bob.api.url.replace(/\/$/, '')}/api/files/${got.id}/thumbnail`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect([res.headers.get('content-type'), res.headers.get('x-content-type-options')]).toEqual(['image/webp', 'nosniff']);

    const [download] = await Promise.all([bobPage.waitForEvent('download', { timeout: 60_000 }), row.getByRole('button', { name: 'Download' }).click()]);
    const path = join(tmpdir(), `parley-dl-${got.id}`);
    await download.saveAs(path);
    const bytes = readFileSync(path);
    rmSync(path, { force: true });
    expect(await whatItTells(bytes)).toMatchObject({ format: 'jpeg', exif: false, gps: false, xmp: false, camera: false, author: false });

    await alicePage.locator(`li[data-file-id="${sent.id}"]`).getByRole('button', { name: 'Delete for everyone' }).click();
    await alicePage.locator(`li[data-file-id="${sent.id}"]`).waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await files(bob).list(aliceId)).toEqual([]);
  }, 240_000);
});
