import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadIdentity } from '../../src/identity/index.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'parley-cli-signup-'));
const env = { ...process.env, PARLEY_TESTNET_FILE: join(root, 'testnet.json'), PARLEY_HOME: join(root, 'nobody') };
let testnet: ChildProcess | null = null;
let mailLog = '';

const parley = (...args: string[]) => run('node', ['bin/parley.js', ...args], { env, timeout: 60_000 });
const json = async (...args: string[]) => JSON.parse((await parley(...args, '--json')).stdout);

afterAll(async () => {
  if (testnet && testnet.exitCode === null) {
    testnet.kill('SIGTERM');
    await new Promise((r) => testnet!.once('exit', r));
  }
  rmSync(root, { recursive: true, force: true });
});

describe('the README sign-up flow', () => {
  it('testnet --attestor, signup email, verify, import (find and unlink: see test/attestor)', async () => {
    testnet = spawn('node', ['bin/parley.js', 'testnet', '--dht', '4', '--relays', '0', '--attestor'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    testnet.stderr!.on('data', (d) => (mailLog += d));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      testnet!.stdout!.on('data', (d) => {
        out += d;
        const m = /Attestor: (http:\/\/[0-9.:]+)/.exec(out);
        if (m && /Ctrl-C/.test(out)) resolve(m[1]!);
      });
      testnet!.once('exit', (c) => reject(new Error(`testnet exited early (${c})`)));
    });
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
    expect(err).toMatchObject({ code: 1, stderr: expect.stringMatching(/^parley: There is no sign-up waiting for a code; start one with/) });
    expect((bad as { stderr: string }).stderr).toMatch(/^parley: That is not an email address/);
    expect((bad as { stderr: string }).stderr).not.toMatch(/not-an-address|\n\s+at /);
  }, 90_000);
});
