import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './harness.js';
import { photoWithGps, whatItTells } from '../helpers/images.js';

const { root, parley, background, close } = cliHarness('parley-cli-images-');
afterAll(close);

describe('images from the command line', () => {
  it('send-file removes a photo’s GPS and camera details (and says so in --help); --keep-metadata sends it as it is', async () => {
    const help = (await parley('send-file', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Location and camera details are removed from images');
    expect(help).toMatch(/--keep-metadata +send an image as it is, WITH its location \(GPS\)/);

    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await background(['testnet', '--dht', '4', '--relays', '2']);
    await parley('init', '--home', alice, '--name', 'Alice');
    await parley('init', '--home', bob, '--name', 'Bob');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout).id as string;
    const aliceId = JSON.parse((await parley('id', '--home', alice, '--json')).stdout).id as string;
    await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob');
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background(['run', '--home', bob]);

    const photo = await photoWithGps();
    expect(await whatItTells(photo)).toMatchObject({ gps: true, camera: true });
    const src = join(root, 'beach.jpg');
    writeFileSync(src, photo);
    // Alice has no daemon: send-file runs a node itself.
    const sent = JSON.parse((await parley('send-file', '--home', alice, 'Bob', src, '--json', '--wait', '90')).stdout) as {
      id: string;
      state: string;
      metadata: string;
      thumbnail: boolean;
    };
    expect(sent).toMatchObject({ state: 'complete', metadata: 'removed', thumbnail: true, mime: 'image/jpeg' });
    const clean = join(root, 'bob-beach.jpg');
    await parley('save-file', '--home', bob, sent.id, clean);
    expect(await whatItTells(readFileSync(clean))).toMatchObject({ exif: false, gps: false, xmp: false, camera: false, author: false });

    // Back through Bob's daemon API (a streamed upload), keeping the metadata on purpose.
    await background(['run', '--home', alice, '--no-ui']);
    const back = await parley('send-file', '--home', bob, 'Alice', src, '--keep-metadata', '--json', '--wait', '90');
    const info = JSON.parse(back.stdout) as { id: string };
    expect(info).toMatchObject({ state: 'complete', metadata: 'kept', thumbnail: true });
    const original = join(root, 'alice-beach.jpg');
    await parley('save-file', '--home', alice, info.id, original);
    expect(readFileSync(original).equals(photo)).toBe(true);
    expect(await whatItTells(readFileSync(original))).toMatchObject({ gps: true, camera: true });
  }, 240_000);
});
