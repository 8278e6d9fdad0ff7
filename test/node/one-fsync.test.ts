import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROUNDS = 20;

/** fsync and fdatasync calls the traced process made between the child's two markers. */
function fsyncsBetweenMarkers(trace: string): number {
  let on = false;
  let n = 0;
  for (const line of trace.split('\n')) {
    if (line.includes('parley-fsync-marker-start')) on = true;
    else if (line.includes('parley-fsync-marker-end')) on = false;
    else if (on && /\b(fsync|fdatasync)\(/.test(line)) n++;
  }
  return n;
}

/** Runs the child under strace; the fsyncs it made between its markers. */
function tracedFsyncs(dir: string, args: string[], done: string): number {
  const out = join(dir, 'trace');
  const r = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-e',
      'trace=fsync,fdatasync,access,faccessat,faccessat2',
      '-o',
      out,
      process.execPath,
      '--import',
      'tsx',
      'test/node/fsync-child.ts',
      ...args,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.stdout).toContain(done);
  return fsyncsBetweenMarkers(readFileSync(out, 'utf8'));
}

describe('a direct round trip on disk', () => {
  it("a message to someone offline is on disk (fsync'd) by the time the outbox says it waits", () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-fsync-'));
    try {
      expect(tracedFsyncs(dir, ['0', 'offline'], 'done offline')).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('fsyncs once on each side: the outbox row rides on the fsync of its encryption, the message and its receipt on one commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-fsync-'));
    try {
      // Every fsync of the process (both people run in it) is counted by the kernel's own record of
      // system calls: two per round trip is the durable minimum (the sender's and the receiver's).
      const fsyncs = tracedFsyncs(dir, [String(ROUNDS)], `done ${ROUNDS}`);
      expect(fsyncs).toBeGreaterThanOrEqual(2 * ROUNDS); // the message and the receipt are durable
      expect(fsyncs).toBeLessThanOrEqual(2 * ROUNDS + 2); // and no more than once per side (was 3 per round trip)
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
