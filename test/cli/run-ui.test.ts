import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient } from '../../src/api/index.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'parley-run-ui-'));
const env = { ...process.env, PARLEY_TESTNET_FILE: join(root, 'testnet.json'), PARLEY_HOME: join(root, 'nobody') };
const children: ChildProcess[] = [];
const parley = (...args: string[]) => run('node', ['bin/parley.js', ...args], { env, timeout: 60_000 });

function background(...args: string[]): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn('node', ['bin/parley.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const ready = args[0] === 'run' && !args.includes('--no-ui') ? /keep it to yourself/ : /Ctrl-C/;
      if (ready.test(out)) resolve({ child, out });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited early (${code})`)));
  });
}

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  rmSync(root, { recursive: true, force: true });
});

describe('parley run serves the web UI, and the CLI goes through the same API', () => {
  it('onboard in the UI with a passphrase, then `parley id` and `parley send` work through the running daemon', async () => {
    await background('testnet', '--dht', '4', '--relays', '2');
    const dana = join(root, 'dana');
    const eli = join(root, 'eli');
    const { out } = await background('run', '--home', dana);
    expect(out).toMatch(/no identity yet: open the web UI/);
    const m = /Web UI: (http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]{43})/.exec(out)!;
    const ui = new ApiClient(m[1]!, m[2]!);
    const danaId = (await ui.onboard({ mode: 'incognito', name: 'Dana', passphrase: 'a fine long passphrase' })).me!.id;

    await parley('init', '--home', eli, '--name', 'Eli');
    const eliId = JSON.parse((await parley('id', '--home', eli, '--json')).stdout).id;
    expect(JSON.parse((await parley('id', '--home', dana, '--json')).stdout)).toMatchObject({ id: danaId, name: 'Dana' }); // locked, yet named
    await parley('contact', 'add', '--home', eli, danaId);
    await ui.addContact({ id: eliId, name: 'Eli' });
    await background('run', '--home', eli, '--no-ui');

    const sent = JSON.parse((await parley('send', '--home', dana, eliId, 'sent from the command line', '--json')).stdout);
    expect(sent).toMatchObject({ body: 'sent from the command line', state: 'delivered' });
    expect(sent.route.route === 'two-relays' || (sent.route.route === 'one-relay' && sent.route.sameRelay)).toBe(true); // relays are picked at random
    expect((await ui.messages(eliId)).map((x) => x.body)).toEqual(['sent from the command line']); // the UI sees it too
  }, 120_000);
});
