import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const parley = (env: Record<string, string> = {}) => run('node', ['bin/parley.js', '--help'], { env: { ...process.env, ...env }, timeout: 60_000 });

describe('bin/parley.js', () => {
  it('runs the cached bundle of the CLI, and the same CLI through tsx when asked (or when it cannot bundle)', async () => {
    const bundled = await parley();
    expect(readdirSync('src/.build').some((f) => /^cli-[0-9a-f]{16}\.mjs$/.test(f))).toBe(true);
    const viaTsx = await parley({ PARLEY_NO_BUNDLE: '1' });
    expect(bundled.stdout).toMatch(/^Usage: parley/);
    expect(bundled.stdout).toContain('safety [options] <id>');
    expect(viaTsx.stdout).toBe(bundled.stdout);
    expect(bundled.stderr + viaTsx.stderr).toBe('');
  });
});
