import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { FileClient } from '../../src/api/index.js';
import { launchChromium } from '../helpers/browsers.js';
import { until } from '../helpers/until.js';
import { apiWorld, type Person } from './helpers.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/*
 * Files in real Chromium, each person relayed through their own relay (two relays on the way): a
 * 20 MiB file attached in the page arrives whole although the receiver's Parley restarts midway, the
 * sender's page follows its progress to the end, and the receiver's page downloads it; then back.
 */
describe('files in the web UI (Debian chromium), through two relays', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    w = await apiWorld({ relays: 2 });
    alice = await w.person('alice', 0);
    bob = await w.person('bob', 1);
    aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await bob.client.addContact({ id: aliceId, name: 'Alice' });
    const m = await alice.client.send(bobId, 'files coming');
    await until(async () => (await alice.client.messages(bobId)).find((x) => x.id === m.id)?.state === 'delivered', 'the first message to be delivered');
    browser = await launchChromium();
  }, 120_000);
  const uploads: string[] = [];
  afterAll(async () => {
    for (const p of uploads) rmSync(p, { force: true });
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
  /** A file on disk to attach: the browser reads it itself (a buffer would go through the DevTools protocol). */
  function onDisk(name: string, data: Buffer): string {
    const path = join(tmpdir(), `parley-up-${process.pid}-${name}`);
    writeFileSync(path, data);
    uploads.push(path);
    return path;
  }
  async function downloadIn(page: Page, id: string): Promise<Buffer> {
    const row = page.locator(`li[data-file-id="${id}"]`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), row.getByRole('button', { name: 'Download' }).click()]);
    const path = join(tmpdir(), `parley-dl-${id}`);
    await download.saveAs(path);
    const bytes = readFileSync(path);
    rmSync(path, { force: true });
    return bytes;
  }

  it('20 MiB from Alice to Bob, Bob restarting midway; the page shows progress and Bob downloads it whole', async () => {
    const data = randomBytes(20 * MiB);
    const alicePage = await open(alice, 'Bob');
    await alicePage.locator('.attach input[type=file]').setInputFiles(onDisk('leak.pdf', data));
    const sent = await until(async () => (await files(alice).list(bobId))[0], 'the upload to be taken in');
    // The sender's page shows the transfer under way: a progress bar and the bytes so far.
    const row = alicePage.locator(`li[data-file-id="${sent.id}"]`);
    await row.locator('progress').waitFor({ timeout: 60_000 });
    await expect.poll(() => row.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/MiB of 20\.0 MiB/);

    await until(
      async () =>
        ((
          await files(bob)
            .list(aliceId)
            .catch(() => [])
        )[0]?.bytesDone ?? 0) >
        2 * MiB,
      'Bob to hold 2 MiB of it',
      120_000,
    );
    await bob.api.close();
    await bob.daemon.close();
    bob = await w.person('bob', 1);

    const got = await until(
      async () => (await files(bob).list(aliceId)).find((f) => f.id === sent.id && f.state === 'complete'),
      'the file to arrive whole at Bob',
      300_000,
    );
    expect(got).toMatchObject({ name: expect.stringMatching(/leak\.pdf$/), size: data.length, hash: sha(data), mime: 'application/pdf' });
    await expect.poll(() => row.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Complete');
    const bobPage = await open(bob, 'Alice');
    expect(sha(await downloadIn(bobPage, sent.id))).toBe(sha(data));
  }, 420_000);

  it('20 MiB back from Bob to Alice, and a transfer cancelled in the page stops on both sides', async () => {
    const data = randomBytes(20 * MiB);
    const bobPage = await open(bob, 'Alice');
    await bobPage.locator('.attach input[type=file]').setInputFiles(onDisk('reply.bin', data));
    const sent = await until(async () => (await files(bob).list(aliceId)).find((f) => f.name.endsWith('reply.bin')), 'the upload to be taken in');
    const got = await until(
      async () => (await files(alice).list(bobId)).find((f) => f.id === sent.id && f.state === 'complete'),
      'the reply to arrive whole at Alice',
      300_000,
    );
    expect(got.hash).toBe(sha(data));
    const alicePage = await open(alice, 'Bob');
    expect(sha(await downloadIn(alicePage, sent.id))).toBe(sha(data));

    await bobPage.locator('.attach input[type=file]').setInputFiles(onDisk('oops.bin', randomBytes(8 * MiB)));
    const oops = await until(async () => (await files(bob).list(aliceId)).find((f) => f.name.endsWith('oops.bin')), 'the second upload');
    await until(async () => (await files(alice).list(bobId)).some((f) => f.id === oops.id), 'Alice to be offered it');
    await bobPage.locator(`li[data-file-id="${oops.id}"]`).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => bobPage.locator(`li[data-file-id="${oops.id}"]`).getByRole('status').textContent()).toBe('Cancelled: you cancelled it');
    await until(async () => (await files(alice).get(oops.id)).state === 'cancelled', 'Alice to learn it was cancelled', 60_000);
  }, 420_000);
});
