import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { ApiClient } from '../../src/api/index.js';
import { until } from '../helpers/until.js';

let child: ChildProcess | null = null;
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
});

describe('npm start (parley demo)', () => {
  it('prints two web UI links that work, and Alice and Bob can talk through them', async () => {
    child = spawn('node', ['bin/parley.js', 'demo', '--ready'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child!.stdout!.on('data', (d) => {
        text += d;
        if (/Ctrl-C/.test(text)) resolve(text);
      });
      child!.once('exit', (code) => reject(new Error(`demo exited early (${code})`)));
    });
    const links = [...out.matchAll(/(Alice|Bob)\s+(http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]{43})/g)];
    expect(links.map((l) => l[1])).toEqual(['Alice', 'Bob']);
    const [alice, bob] = links.map((l) => new ApiClient(l[2]!, l[3]!)) as [ApiClient, ApiClient];
    const bobId = (await bob.state()).me!.id;
    const [contact] = await alice.contacts();
    expect(contact).toMatchObject({ id: bobId, name: 'Bob', visibility: 'relayed' });
    const sent = await alice.send(bobId, 'hello from the demo');
    await until(async () => (await alice.messages(bobId)).find((m) => m.id === sent.id)?.state === 'delivered', "a receipt for Alice's demo message", 30_000);
    const [got] = await bob.messages((await alice.state()).me!.id);
    expect(got).toMatchObject({ body: 'hello from the demo', direction: 'in' });
    child.kill('SIGTERM');
    expect(await new Promise((r) => child!.once('exit', r))).toBe(0);
  }, 90_000);
});
