import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIdentity } from '../../src/identity/index.js';
import { cliHarness } from './harness.js';

const { root, parley, background, close } = cliHarness('parley-cli-signup-');
const json = async (...args: string[]) => JSON.parse((await parley(...args, '--json')).stdout);
afterAll(close);

describe('the README sign-up flow', () => {
  it('testnet --attestor, signup email, verify, import (find and unlink: see test/attestor)', async () => {
    const { child: testnet, out } = await background(['testnet', '--dht', '4', '--relays', '0', '--attestor'], /Attestor: http:\/\/[0-9.:]+[\s\S]*Ctrl-C/);
    let mailLog = '';
    testnet.stderr!.on('data', (d) => (mailLog += d));
    const url = /Attestor: (http:\/\/[0-9.:]+)/.exec(out)![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.3\.10:\d+$/);
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    await Promise.all([parley('init', '--home', alice), parley('init', '--home', bob)]);

    const started = await json('signup', 'email', 'Alice@Example.org', '--home', alice);
    expect(started).toMatchObject({ kind: 'email', expiresAt: expect.any(Number) });
    const code = /code for alice@example\.org: ([0-9]{6})/.exec(mailLog)![1]!;
    expect(await json('signup', 'verify', code, '--home', alice)).toMatchObject({ kind: 'email', state: 'active', attestor: url });
    const aliceId = loadIdentity(alice).id;

    const vcf = join(root, 'book.vcf');
    writeFileSync(vcf, 'BEGIN:VCARD\r\nFN:Alice\r\nEMAIL:ALICE@example.org\r\nTEL:+41 44 668 18 00\r\nEND:VCARD\r\n');
    const [imported, err, bad] = await Promise.all([
      json('import', vcf, '--home', bob, '--add'),
      parley('signup', 'verify', '123456', '--home', bob).catch((e: { stderr: string; code: number }) => e),
      parley('signup', 'email', 'not-an-address', '--home', bob).catch((e: { stderr: string }) => e),
    ]);
    expect(imported).toMatchObject({ cards: 1, checked: 2, matches: [{ identifier: 'alice@example.org', name: 'Alice', id: aliceId }] });
    expect(err).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^parley: there is no sign-up waiting for a code; start one with `parley signup email/),
    });
    expect((bad as { stderr: string }).stderr).toMatch(/^parley: that is not an email address/);
    expect((bad as { stderr: string }).stderr).not.toMatch(/not-an-address|\n\s+at /);
  }, 90_000);
});
