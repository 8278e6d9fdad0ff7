import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'parley-cli-'));
const env = { ...process.env, PARLEY_TESTNET_FILE: join(root, 'testnet.json'), PARLEY_HOME: join(root, 'nobody') };
const children: ChildProcess[] = [];

function parley(...args: string[]) {
  return run('node', ['bin/parley.js', ...args], { env, timeout: 60_000 });
}

async function failing(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await parley(...args);
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  throw new Error(`parley ${args.join(' ')} should have failed`);
}

function background(...args: string[]): Promise<ChildProcess> {
  const child = spawn('node', ['bin/parley.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (/Ctrl-C/.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited early (${code})`)));
  });
}

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  rmSync(root, { recursive: true, force: true });
});

describe('the README command-line flow', () => {
  it('testnet, init, id, contact add, run, send, history', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    // Before any network exists, commands say what to do instead of failing obscurely.
    await parley('init', '--home', alice, '--name', 'Alice');
    const noNet = await failing('run', '--home', alice);
    expect(noNet.stderr).toMatch(/no network to join.*parley testnet/);

    await background('testnet', '--dht', '4', '--relays', '2');
    await parley('init', '--home', bob, '--name', 'Bob');
    const bobId = JSON.parse((await parley('id', '--home', bob, '--json')).stdout);
    expect(bobId.id).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    expect(bobId.link).toBe(`parley:${bobId.id}`);
    const aliceId = JSON.parse((await parley('id', '--home', alice, '--json')).stdout).id;

    await parley('contact', 'add', '--home', alice, bobId.link, '--name', 'Bob'); // relayed: the default
    await parley('contact', 'add', '--home', bob, aliceId, '--name', 'Alice');
    await background('run', '--home', bob);

    const sent = JSON.parse((await parley('send', '--home', alice, bobId.id, 'hello from the command line', '--json')).stdout);
    expect(sent.state).toBe('delivered');
    // Both hide their IP: my relay → their relay (or one shared relay, which the receipt then says).
    expect(sent.route.route === 'two-relays' || (sent.route.route === 'one-relay' && sent.route.sameRelay)).toBe(true);
    expect(sent.route.sees).toContainEqual({ party: 'contact', ips: [] });

    const history = JSON.parse((await parley('history', '--home', bob, '--json')).stdout);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ body: 'hello from the command line', direction: 'in', contact_id: aliceId, state: 'received' });
    expect((await parley('outbox', '--home', alice)).stdout).toMatch(/outbox is empty/);
    expect((await parley('history', '--home', bob)).stdout).toMatch(/hello from the command line .*received; one-relay \(my-relay\)/);
  }, 120_000);

  it('answers bad input with one clear sentence and no stack trace', async () => {
    const home = join(root, 'carol');
    await parley('init', '--home', home);
    const dup = await failing('init', '--home', home);
    expect(dup.stderr).toMatch(/already holds a Parley identity/);
    const badId = await failing('contact', 'add', '--home', home, 'not-an-id');
    expect(badId.stderr).toMatch(/not a Parley ID/);
    const unknown = await failing('send', '--home', home, 'y'.repeat(52), 'hi', '--bootstrap', '127.0.0.1:9');
    expect(unknown.stderr).toMatch(/not in your contacts/);
    const noHome = await failing('id', '--home', join(root, 'nobody-here'));
    expect(noHome.stderr).toMatch(/no Parley identity/);
    for (const e of [dup, badId, unknown, noHome]) {
      expect(e.code).toBe(1);
      expect(e.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
