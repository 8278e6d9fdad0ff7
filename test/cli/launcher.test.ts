import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Identity, saveIdentity } from '../../src/identity/index.js';

const run = promisify(execFile);
const parley = (args: string[], env: Record<string, string> = {}, flags: string[] = []) =>
  run('node', [...flags, 'bin/parley.js', ...args], { env: { ...process.env, ...env }, timeout: 60_000 });

const root = mkdtempSync(join(tmpdir(), 'parley-launcher-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * `parley run` on a home no DHT node answers for (the network part fails in the background), until
 * its ready line; then Ctrl-C. Resolves with what it printed, or rejects if it exits first.
 */
function runUntilReady(home: string, flags: string[]): Promise<string> {
  const child = spawn('node', [...flags, 'bin/parley.js', 'run', '--home', home, '--no-ui', '--bootstrap', '127.0.0.1:9', '--host', '127.0.0.95'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`parley run exited (${code}) before it was ready: ${out}`)));
    createInterface({ input: child.stdout }).on('line', (l) => {
      out += `${l}\n`;
      if (!/^Parley is running for/.test(l)) return;
      child.removeAllListeners('exit');
      child.once('exit', () => resolve(out));
      child.kill('SIGINT');
    });
  });
}

describe('bin/parley.js', () => {
  it('runs the cached bundle of the CLI, and the same CLI through tsx when asked (or when it cannot bundle)', async () => {
    const bundled = await parley(['--help']);
    expect(readdirSync('src/.build').some((f) => /^cli-[0-9a-f]{16}\.mjs$/.test(f))).toBe(true);
    const viaTsx = await parley(['--help'], { PARLEY_NO_BUNDLE: '1' });
    expect(bundled.stdout).toMatch(/^Usage: parley/);
    expect(bundled.stdout).toContain('safety [options] <id>');
    expect(viaTsx.stdout).toBe(bundled.stdout);
    expect(bundled.stderr + viaTsx.stderr).toBe('');
  });

  it('`parley run` is its own bundle, the same program as through tsx', async () => {
    const bundled = await parley(['run', '--help']);
    expect(readdirSync('src/.build').some((f) => /^cli-[0-9a-f]{16}-run\.cjs$/.test(f))).toBe(true);
    const viaTsx = await parley(['run', '--help'], { PARLEY_NO_BUNDLE: '1' });
    expect(bundled.stdout).toMatch(/^Usage: parley run \[options\]/);
    expect(bundled.stdout).toContain('--no-ui');
    expect(viaTsx.stdout).toBe(bundled.stdout);
    // A mistake reads the same both ways too: one sentence, no stack trace.
    const wrong = await parley(['run', '--ui-port', 'x', '--home', join(root, 'none')]).catch((e: { stderr: string }) => e);
    const wrongTsx = await parley(['run', '--ui-port', 'x', '--home', join(root, 'none')], { PARLEY_NO_BUNDLE: '1' }).catch((e: { stderr: string }) => e);
    expect(wrong.stderr).toMatch(/^parley: /);
    expect(wrong.stderr).toBe(wrongTsx.stderr);
  });

  it('`parley run` saves the code it compiled up to ready once, and the next start reads it back instead of compiling', async () => {
    const home = join(root, 'home');
    saveIdentity(home, Identity.generate());
    // Flags of this test alone (the cache's name carries them), so no other test writes this cache.
    const flags = ['--max-semi-space-size=1', `--title=parley-launcher-test-${process.pid}`];
    await parley(['run', '--help'], {}, flags); // the bundle exists; no cache: --help is never ready
    const caches = () => readdirSync('src/.build').filter((f) => /-run-[0-9a-f]{8}\.v8cache$/.test(f));
    const before = new Set(caches());

    expect(await runUntilReady(home, flags)).toMatch(/Parley is running for [a-z0-9]{52}/);
    const made = caches().filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    const file = join('src/.build', made[0]!);
    const first = statSync(file);
    expect(first.size).toBeGreaterThan(100_000);

    // Read back and accepted: V8 refusing it (other Node, other flags, a damaged file) would write it again.
    expect(await runUntilReady(home, flags)).toMatch(/Parley is running for [a-z0-9]{52}/);
    const second = statSync(file);
    expect(second.mtimeMs).toBe(first.mtimeMs);
    expect(second.ino).toBe(first.ino);
    rmSync(file);
  });
});
