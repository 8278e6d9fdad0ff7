import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `parley` as a person runs it, from the command line, in a temp folder of its own (its testnet file
 * too, so tests never meet each other's networks); `close()` stops what it started and removes the folder.
 */
export function cliHarness(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, PARLEY_TESTNET_FILE: join(root, 'testnet.json'), PARLEY_HOME: join(root, 'nobody') };
  const children: ChildProcess[] = [];
  const parley = (...args: string[]) => run('node', ['bin/parley.js', ...args], { env, timeout: 60_000 });
  return {
    root,
    parley,
    /** Runs a command that must fail; its exit code and stderr. */
    async failing(...args: string[]): Promise<{ code: number; stderr: string }> {
      try {
        await parley(...args);
      } catch (e) {
        const err = e as { code: number; stderr: string };
        return { code: err.code, stderr: err.stderr };
      }
      throw new Error(`parley ${args.join(' ')} should have failed`);
    },
    /**
     * Starts a long-running command; resolves once its output matches `ready`: by default, for `run`,
     * its Online line (fully up: DHT joined, relays reached, intro record published; its ready line
     * comes before, with the network still starting), else its Ctrl-C line. `output()` and
     * `errors()` read what it printed so far.
     */
    background(
      args: string[],
      ready = args[0] === 'run' ? /^Online: /m : /Ctrl-C/,
    ): Promise<{ child: ChildProcess; out: string; output: () => string; errors: () => string }> {
      const child = spawn('node', ['bin/parley.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      return new Promise((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          if (ready.test(out)) resolve({ child, out, output: () => out, errors: () => err });
        });
        child.once('exit', (code) => reject(new Error(`${args[0]} exited early (${code})`)));
      });
    },
    async close(): Promise<void> {
      // A child that ended by a signal has no exit code, only a signal code: it has exited all the same.
      const ended = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
      for (const c of children) if (!ended(c)) c.kill('SIGTERM');
      await Promise.all(children.map((c) => new Promise((r) => (ended(c) ? r(null) : c.once('exit', r)))));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
