/**
 * `npm run bench -- nat`: hole punching per NAT pair in network namespaces (the test's small
 * internet), as success rate and time from the start of the punch to the first authenticated frame,
 * beside TCP connect + Noise handshake + first frame between the same two namespaces (full cone on
 * both sides, so TCP can be dialled) in the same run. Needs root and `ip netns`; says so otherwise.
 */
import { Internet, netnsUnavailable, RELAY_HOSTS, type NatKind } from '../test/reliability/netns/internet.js';
import { punchPair } from '../test/reliability/netns/punch-pair.js';
import { startProgram } from '../test/reliability/processes.js';
import { progress, type BenchContext, type Row, type SectionBody } from './section.js';
import { execFileSync } from 'node:child_process';
import { nodePairs } from './nat-nodes.js';

const PAIRS: Array<[NatKind, NatKind]> = [
  ['masquerade', 'masquerade'],
  ['full-cone', 'full-cone'],
  ['full-cone', 'masquerade'],
  ['symmetric', 'full-cone'],
  ['symmetric', 'masquerade'],
  ['symmetric', 'symmetric'],
  ['cgnat', 'masquerade'],
  ['cgnat', 'cgnat'],
];

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);

export async function natSection(_ctx: BenchContext): Promise<SectionBody> {
  const title = 'Hole punching per NAT pair (network namespaces)';
  const why = netnsUnavailable(`nt${process.pid % 10000}`);
  if (why) return { title, rows: [], notes: [], error: `needs network namespaces: ${why}` };
  const tries = Number(process.env.BENCH_NAT_TRIES ?? 5);
  const net = new Internet(`nt${process.pid % 10000}`);
  net.build();
  const relays = await startProgram(
    'ip',
    ['netns', 'exec', net.publicNs, process.execPath, '--import', 'tsx', 'test/reliability/netns/relays.ts', ...RELAY_HOSTS],
    /\}\n/,
  );
  const rows: Row[] = [];
  let nodes: Row[] = [];
  try {
    const info = JSON.parse(relays.output().trim().split('\n').at(-1)!) as { relays: Array<{ host: string; port: number }> };
    const reflectors = info.relays.map((r) => `${r.host}:${r.port}`);
    for (const [x, y] of PAIRS) {
      const ok: number[] = [];
      let reason = '';
      for (let i = 0; i < tries; i++) {
        const [a, b] = await punchPair(net.side(0, x), net.side(1, y), reflectors);
        if (a.ok && b.ok) ok.push(a.ms);
        else reason = (a.message ?? b.message ?? '').replace(/^direct not possible: /, '');
      }
      progress(`nat ${x} ↔ ${y}: ${ok.length}/${tries}`);
      rows.push({
        pair: `${x} ↔ ${y}`,
        success: `${ok.length}/${tries}`,
        'first frame median ms': ok.length ? Number(median(ok).toFixed(1)) : '-',
        'why not': reason || '-',
      });
    }
    // Baseline in the same run: TCP between the same namespaces (full cone lets the dial in).
    const a = net.side(0, 'full-cone');
    const b = net.side(1, 'full-cone');
    const server = await startProgram('ip', ['netns', 'exec', b.netns, process.execPath, '--import', 'tsx', 'bench/nat-tcp.ts', 'listen', b.host], /\}\n/);
    const tcp: number[] = [];
    try {
      const { port, key } = JSON.parse(server.output().trim().split('\n').at(-1)!) as { port: number; key: string };
      for (let i = 0; i < tries; i++) {
        const out = execFileSync(
          'ip',
          ['netns', 'exec', a.netns, process.execPath, '--import', 'tsx', 'bench/nat-tcp.ts', 'dial', '10.205.1.2', String(port), key],
          { encoding: 'utf8' },
        );
        tcp.push(Number(out.trim()));
      }
    } finally {
      await server.stop();
    }
    rows.push({
      pair: 'baseline: TCP dial + Noise, full cone ↔ full cone',
      success: `${tcp.length}/${tries}`,
      'first frame median ms': Number(median(tcp).toFixed(1)),
      'why not': '-',
    });
    await relays.stop();
    nodes = await nodePairs(net, Number(process.env.BENCH_NAT_NODE_TRIES ?? 1));
  } finally {
    await relays.stop();
    net.remove();
  }
  return {
    title,
    rows,
    tables: [{ title: 'First message between two Parley nodes per NAT pair (punch included), beside two relayed nodes', rows: nodes }],
    notes: [
      'Time from the start of the punch (candidates already exchanged) to the first frame through the Noise connection on the punched UDX stream; includes the 300 ms low-TTL opening phase.',
      'Baseline: TCP connect + Noise IK + first frame from the same namespace to the other side, measured in the same run.',
      'Nodes table: real ParleyNodes (DHT nodes and two relays on the public segment), both `direct` and holding each other\'s direct key; "first message" runs from queueing to the end-to-end receipt and includes the failed TCP dial, learning the mapping from two reflectors, the offer and answer through a relay, the punch, a prekey bundle and the Signal session; "next message" reuses the link. The last row is two `relayed` contacts (my relay, circuit, their relay) in the same run. Polled every 50 ms.',
    ],
  };
}
