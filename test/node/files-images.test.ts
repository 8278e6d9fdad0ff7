import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { leaks } from '../helpers/leaks.js';
import { photoWithGps, whatItTells } from '../helpers/images.js';
import type { ParleyNode } from '../../src/node/index.js';
import { filePath, getFile } from '../../src/store/index.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/*
 * Images between two real nodes: their location and camera details are removed by the sender
 * before anything is encrypted, a small thumbnail travels with the offer, and a file sent under a
 * disappearing timer goes from both homes with its thumbnail and key when the timer runs out (on a
 * clock the test moves forward, NodeOptions.expiryNow).
 */
describe('images and disappearing files between two nodes', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let alice: ParleyNode;
  let bob: ParleyNode;
  let shift = 0;
  const clock = () => Date.now() + shift;
  let photo: Buffer;
  let src: string;
  beforeAll(async () => {
    w = await world();
    [alice, bob] = await w.pair('alice', 'bob', { a: { expiryNow: clock }, b: { expiryNow: clock }, visibility: 'direct' });
    photo = await photoWithGps();
    src = join(w.root, 'holiday.jpg');
    writeFileSync(src, photo);
  });
  afterAll(async () => {
    await w.close();
  });

  const arrived = (id: string) => until(() => bob.files.list().find((f) => f.id === id && f.state === 'complete'), 'the image to arrive whole at Bob', 60_000);

  it('a photo arrives without its GPS position, camera or XMP, upright, with a small thumbnail', async () => {
    expect(await whatItTells(photo)).toMatchObject({ gps: true, exif: true, xmp: true, camera: true, author: true });
    const sent = await alice.files.sendPath(bob.id, src);
    expect(sent).toMatchObject({ metadata: 'removed', thumbnail: true, mime: 'image/jpeg' });
    expect(sent.hash).not.toBe(sha(photo)); // the cleaned image is what is sent, hashed and verified

    const got = await arrived(sent.id);
    expect(got).toMatchObject({ name: 'holiday.jpg', hash: sent.hash, thumbnail: true });
    const saved = readFileSync(bob.files.save(got.id, join(w.root, 'bob-holiday.jpg')));
    expect(sha(saved)).toBe(sent.hash);
    expect(await whatItTells(saved)).toEqual({
      format: 'jpeg',
      width: 480,
      height: 640,
      exif: false,
      gps: false,
      xmp: false,
      iptc: false,
      camera: false,
      author: false,
    });
    const orientation = (await sharp(saved).metadata()).orientation;
    expect(orientation ?? 1).toBe(1); // turned upright, not merely tagged

    const thumb = bob.files.thumbnail(got.id);
    expect(thumb.length).toBeLessThanOrEqual(16 * 1024);
    const t = await sharp(thumb).metadata();
    expect(t).toMatchObject({ format: 'webp' });
    expect(Math.max(t.width, t.height)).toBeLessThanOrEqual(320);
    expect(t.height).toBeGreaterThan(t.width); // upright like the photo
    expect(t.exif).toBeUndefined();
  });

  it('with keepMetadata the original bytes go as they are, GPS included', async () => {
    const sent = await alice.files.sendPath(bob.id, src, undefined, { keepMetadata: true });
    expect(sent).toMatchObject({ metadata: 'kept', hash: sha(photo), thumbnail: true });
    const got = await arrived(sent.id);
    const saved = readFileSync(bob.files.save(got.id, join(w.root, 'bob-original.jpg')));
    expect(sha(saved)).toBe(sha(photo));
    expect(await whatItTells(saved)).toMatchObject({ gps: true, camera: true });
  });

  it('a file that is not an image goes untouched and has no thumbnail', async () => {
    const text = Buffer.from('not an image, just words\n'.repeat(100));
    const p = join(w.root, 'notes.txt');
    writeFileSync(p, text);
    const sent = await alice.files.sendPath(bob.id, p, 'text/plain');
    expect(sent).toMatchObject({ metadata: null, thumbnail: false, hash: sha(text), mime: 'text/plain' });
    await arrived(sent.id);
    expect(() => bob.files.thumbnail(sent.id)).toThrow(/no thumbnail/);
  });

  it('under a disappearing timer, the file, its thumbnail and its key leave both homes when the timer runs out', async () => {
    alice.messages.setDisappearing(bob.id, 300);
    await until(() => (bob.contacts().find((c) => c.id === alice.id)?.disappear_seconds === 300 ? true : undefined), 'Bob to have the timer', 20_000);
    const sent = await alice.files.sendPath(bob.id, src);
    expect(sent.expiresAt).not.toBeNull();
    const got = await arrived(sent.id);
    expect(got.expiresAt).not.toBeNull();
    await until(() => alice.files.get(sent.id).state === 'complete', 'Alice to learn Bob holds it');

    // Markers of the file in each home: its thumbnail, its key, and a stretch of its stored ciphertext.
    const needles = (n: ParleyNode) => {
      const row = getFile(n.db, sent.id)!;
      const enc = readFileSync(filePath(n.home, sent.id));
      return { thumbnail: n.files.thumbnail(sent.id), key: row.key, ciphertext: enc.subarray(1000, 1064) };
    };
    const marks = { alice: needles(alice), bob: needles(bob) };
    for (const [n, m] of [
      [alice, marks.alice],
      [bob, marks.bob],
    ] as const)
      expect(leaks(n.home, m).length).toBeGreaterThan(0); // there now

    shift = 301_000;
    for (const n of [alice, bob]) await until(() => (n.files.list().some((f) => f.id === sent.id) ? undefined : true), 'the file to disappear', 10_000);
    for (const [n, m] of [
      [alice, marks.alice],
      [bob, marks.bob],
    ] as const) {
      expect(existsSync(filePath(n.home, sent.id))).toBe(false);
      expect(leaks(n.home, m), n.home).toEqual([]);
    }
    alice.messages.setDisappearing(bob.id, 0);
    await until(() => (bob.contacts().find((c) => c.id === alice.id)?.disappear_seconds === 0 ? true : undefined), 'the timer to be off', 20_000);
  });

  it('a file deleted for everyone by its sender goes from both devices; clearing a conversation takes its files', async () => {
    const sent = await alice.files.sendPath(bob.id, src);
    await arrived(sent.id);
    expect(() => bob.files.delete(sent.id, true)).toThrow(/only the sender/);
    alice.files.delete(sent.id, true);
    expect(alice.files.list().some((f) => f.id === sent.id)).toBe(false);
    await until(() => (bob.files.list().some((f) => f.id === sent.id) ? undefined : true), 'Bob to delete his copy', 20_000);
    expect(existsSync(filePath(bob.home, sent.id))).toBe(false);

    // Bob away when Alice deletes one for everyone: his copy goes when he is back.
    const third = await alice.files.sendPath(bob.id, src);
    await arrived(third.id);
    await w.stop(bob);
    alice.files.delete(third.id, true);
    bob = await w.start('bob', { expiryNow: clock });
    expect(bob.files.list().some((f) => f.id === third.id)).toBe(true);
    await until(() => (bob.files.list().some((f) => f.id === third.id) ? undefined : true), 'Bob to delete his copy once back', 60_000);
    expect(existsSync(filePath(bob.home, third.id))).toBe(false);
    await until(() => (alice.files.deletesWaiting() === 0 ? true : undefined), 'Bob to confirm, so Alice stops asking', 20_000);

    const again = await alice.files.sendPath(bob.id, src);
    await arrived(again.id);
    bob.messages.clearConversation(alice.id);
    expect(bob.files.list(alice.id)).toEqual([]);
    expect(existsSync(filePath(bob.home, again.id))).toBe(false);
    expect(alice.files.list().some((f) => f.id === again.id)).toBe(true); // for me only: Alice keeps hers
  });
});
