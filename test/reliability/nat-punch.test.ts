import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Internet, netnsUnavailable, RELAY_HOSTS, type NatKind } from './netns/internet.js';
import { punchPair } from './netns/punch-pair.js';
import { startProgram, type Child } from './processes.js';

/*
 * Hole punching across every common kind of NAT, in network namespaces this test creates and
 * removes (test/reliability/netns/internet.ts: private addresses only). Two relays on the public
 * segment reflect each side's UDP mapping; the two people then punch at once and, where a path
 * exists, exchange one frame over the Noise connection on the punched UDX stream.
 */
const tag = `pp${process.pid % 100000}`;
const why = netnsUnavailable(tag);
if (why) console.warn(`SKIPPED NAT punch test: ${why}`);

const canPunch: Array<[NatKind, NatKind]> = [
  ['masquerade', 'masquerade'],
  ['full-cone', 'full-cone'],
  ['full-cone', 'masquerade'],
  ['symmetric', 'full-cone'],
  ['cgnat', 'masquerade'],
  ['cgnat', 'cgnat'],
];

describe.skipIf(why !== null)('hole punching behind NATs (network namespaces)', () => {
  const net = new Internet(tag);
  let relays: Child | undefined;
  let reflectors: string[] = [];

  beforeAll(async () => {
    net.build();
    relays = await startProgram(
      'ip',
      ['netns', 'exec', net.publicNs, process.execPath, '--import', 'tsx', 'test/reliability/netns/relays.ts', ...RELAY_HOSTS],
      /\}\n/,
    );
    const info = JSON.parse(relays.output().trim().split('\n').at(-1)!) as { relays: Array<{ host: string; port: number }> };
    reflectors = info.relays.map((r) => `${r.host}:${r.port}`);
  }, 60_000);

  afterAll(async () => {
    await relays?.stop();
    net.remove();
  });

  for (const [x, y] of canPunch) {
    it(`${x} ↔ ${y}: direct over UDP, a frame each way`, async () => {
      const [a, b] = await punchPair(net.side(0, x), net.side(1, y), reflectors);
      expect(a).toMatchObject({ ok: true, frame: { n: 'responder' } });
      expect(b).toMatchObject({ ok: true, frame: { n: 'initiator' } });
    }, 60_000);
  }

  it('symmetric ↔ symmetric: refused at once, saying both networks change ports', async () => {
    const [a, b] = await punchPair(net.side(0, 'symmetric'), net.side(1, 'symmetric'), reflectors);
    for (const r of [a, b]) {
      expect(r).toMatchObject({ ok: false, code: 'DIRECT_IMPOSSIBLE', message: 'direct not possible: both networks change ports' });
      expect(r.ms).toBeLessThan(1_000);
    }
  }, 60_000);

  it('symmetric ↔ port-restricted (MASQUERADE): gives up at the deadline with the reason', async () => {
    const [a, b] = await punchPair(net.side(0, 'symmetric'), net.side(1, 'masquerade'), reflectors, 3_000);
    for (const r of [a, b]) {
      expect(r).toMatchObject({ ok: false, code: 'DIRECT_IMPOSSIBLE' });
      expect(r.message).toMatch(/^direct not possible: one network changes ports/);
      expect(r.ms).toBeGreaterThanOrEqual(2_990);
      expect(r.ms).toBeLessThan(6_000);
    }
  }, 60_000);
});
