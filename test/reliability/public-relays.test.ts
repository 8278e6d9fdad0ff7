import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startProgram } from './processes.js';

/*
 * Two relays on public addresses (203.0.113.0/24 inside a network namespace this test creates and
 * removes; the namespace has no route anywhere) reach each other by circuit: one listens on
 * 0.0.0.0, the other on its own address, both find each other's descriptor in a DHT. Neither may be
 * used to reach anything that is not a relay. Needs root and `ip netns` (otherwise skipped, saying why).
 */
const ns = `pr${process.pid % 100000}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const ADDRS = { dht: '203.0.113.1', a: '203.0.113.2', b: '203.0.113.3', client: '203.0.113.9' };

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    ip('netns', 'add', `${ns}p`);
    ip('netns', 'del', `${ns}p`);
  } catch (err) {
    return `ip netns is not usable here (${(err as Error).message.split('\n')[0]})`;
  }
  return null;
}
const why = unavailable();
if (why) console.warn(`SKIPPED public relay test: ${why}`);

function removeNetwork(): void {
  try {
    ip('netns', 'del', ns);
  } catch {
    // not created
  }
}

describe.skipIf(why !== null)('relays on public addresses (network namespace)', () => {
  afterAll(removeNetwork);

  it('open circuits to each other and to nothing else', { timeout: 90_000 }, async () => {
    removeNetwork();
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    for (const addr of Object.values(ADDRS)) ip('-n', ns, 'addr', 'add', `${addr}/32`, 'dev', 'lo');
    const child = await startProgram(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/reliability/netns/public-relays.ts', ADDRS.dht, ADDRS.a, ADDRS.b, ADDRS.client],
      /\}\n/,
      {},
      60_000,
    );
    const findings = JSON.parse(child.output().trim().split('\n').at(-1)!) as Record<string, unknown>;
    await child.stop();
    expect(findings).toEqual({
      delivered: 'across two public relays',
      toNonRelay: 'CIRCUIT_REFUSED',
      toLoopback: 'CIRCUIT_REFUSED',
      toLoopbackWithRelayKey: 'CIRCUIT_REFUSED',
      serviceConnections: 0,
    });
  });
});
