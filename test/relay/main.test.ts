import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from '../../src/identity/index.js';
import { RelayClient, RelayDescriptor } from '../../src/relay/index.js';

describe('relay main', () => {
  it('prints its descriptor as one JSON line, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/main.ts', '--host', '127.0.0.81', '--metrics-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    });
    const descriptor = RelayDescriptor.parse(JSON.parse(line));
    expect(descriptor).toMatchObject({ v: 1, host: '127.0.0.81' });
    const client = await new RelayClient({ ...descriptor, localAddress: '127.0.0.82' }).connect();
    const blob = await client.putBlob(randomBytes(32), Buffer.from('prekeys'));
    expect((await client.getBlob(blob))?.toString()).toBe('prekeys');
    const exit = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await client.close();
  });
});
