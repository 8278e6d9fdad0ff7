import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './harness.js';

const { root, parley, failing, background, close } = cliHarness('parley-cli-files-');
afterAll(close);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('files from the command line', () => {
  it('send-file shows progress and exits 0 once the contact holds it; files lists it; save-file decrypts it; and back through the API', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await background(['testnet', '--dht', '4', '--relays', '2']);
    await parley('init', '--home', alice, '--name', 'Alice');
    await parley('init', '--home', bob, '--name', 'Bob');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout).id as string;
    const aliceId = JSON.parse((await parley('id', '--home', alice, '--json')).stdout).id as string;
    await parley('contact', 'add', '--home', alice, bobId, '--name', 'Bob');
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    // Bob is online with his web UI and API: what arrives, arrives there.
    await background(['run', '--home', bob]);

    const data = randomBytes(2 * 1024 * 1024 + 99);
    const src = join(root, 'minutes.txt');
    writeFileSync(src, data);
    const sent = await parley('send-file', '--home', alice, 'bob', src, '--wait', '90');
    expect(sent.stdout).toMatch(/^Delivered minutes\.txt \(2\.0 MiB\), end-to-end encrypted/);
    expect(sent.stdout).toContain(sha(data));
    expect(sent.stderr).toMatch(/MiB of 2\.0 MiB \(\d+ %\), [\d.]+ (B|KiB|MiB)\/s, /);

    const listed = JSON.parse((await parley('files', '--home', bob, '--json')).stdout) as Array<{ id: string; state: string; hash: string; direction: string }>;
    expect(listed).toEqual([expect.objectContaining({ direction: 'in', state: 'complete', hash: sha(data) })]);
    expect((await parley('files', '--home', bob)).stdout).toMatch(/minutes\.txt \(2\.0 MiB\) from Alice, .* — complete/);
    const dest = join(root, 'bob-downloads');
    mkdirSync(dest);
    expect((await parley('save-file', '--home', bob, listed[0]!.id, dest)).stdout).toBe(`Saved to ${join(dest, 'minutes.txt')}.\n`);
    expect(sha(readFileSync(join(dest, 'minutes.txt')))).toBe(sha(data));
    const again = await failing('save-file', '--home', bob, listed[0]!.id, dest);
    expect(again.stderr).toMatch(/exists already; choose another name \(nothing was overwritten\)/);
    expect((await failing('save-file', '--home', bob, 'f'.repeat(32), dest)).stderr).toMatch(/there is no file transfer with that ID/);

    // Back: Alice online (no UI), Bob sends through his running daemon's API (a streamed upload).
    await background(['run', '--home', alice, '--no-ui']);
    const back = randomBytes(300_000);
    writeFileSync(join(root, 'photo.jpg'), back);
    const reply = await parley('send-file', '--home', bob, 'Alice', join(root, 'photo.jpg'), '--mime', 'image/jpeg', '--json', '--wait', '90');
    const info = JSON.parse(reply.stdout) as { id: string; state: string; mime: string };
    expect(info).toMatchObject({ state: 'complete', mime: 'image/jpeg' });
    const out = join(root, 'alice-photo.jpg');
    await parley('save-file', '--home', alice, info.id, out);
    expect(sha(readFileSync(out))).toBe(sha(back));
  }, 240_000);
});
