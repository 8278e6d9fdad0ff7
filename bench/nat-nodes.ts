/**
 * Part of `npm run bench -- nat`: two real Parley nodes (netns/person.ts) behind each NAT pair of the
 * small internet, both `direct` and each already holding the other's direct key, so the first message
 * must punch: time from queueing it to its end-to-end receipt, and the route it took; beside the same
 * for two `relayed` contacts (two relays) behind MASQUERADE NATs in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Internet, NatKind } from '../test/reliability/netns/internet.js';
import { RELAY_HOSTS } from '../test/reliability/netns/internet.js';
import { lineChild } from '../test/reliability/netns/line-child.js';
import { NatPeople } from '../test/reliability/netns/nat-people.js';
import type { RouteReceipt } from '../src/routing/receipt.js';
import type { Visibility } from '../src/store/index.js';
import { progress, type Row } from './section.js';

const PAIRS: Array<[NatKind, NatKind, Visibility]> = [
  ['masquerade', 'masquerade', 'direct'],
  ['full-cone', 'masquerade', 'direct'],
  ['symmetric', 'full-cone', 'direct'],
  ['cgnat', 'masquerade', 'direct'],
  ['cgnat', 'cgnat', 'direct'],
  ['symmetric', 'masquerade', 'direct'],
  ['symmetric', 'symmetric', 'direct'],
  ['masquerade', 'masquerade', 'relayed'],
];

export async function nodePairs(net: Internet, tries: number): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-nat-'));
  const services = lineChild(net.publicNs, process.execPath, ['--import', 'tsx', 'test/reliability/netns/punch-services.ts', RELAY_HOSTS[0]!, ...RELAY_HOSTS]);
  const people = new NatPeople(net, JSON.stringify(await services.next()), root);
  const rows: Row[] = [];
  try {
    for (const [x, y, sets] of PAIRS) {
      const first: number[] = [];
      const second: number[] = [];
      const routes = new Set<string>();
      let reason = '';
      for (let i = 0; i < tries; i++) {
        const [a, b] = await people.pair([x, y], [sets, sets], true);
        for (const into of [first, second]) {
          const t0 = performance.now();
          const { sent } = await people.say(a, b, [`message ${into === first ? 1 : 2}`]);
          into.push(performance.now() - t0);
          const r = JSON.parse(sent[0]!.route!) as RouteReceipt;
          if (into === first) routes.add(r.route);
          reason ||= (r.reason ?? '').replace(/^direct not possible: /, '');
        }
      }
      progress(`nat nodes ${x} ↔ ${y} (${sets}): ${[...routes].join(', ')}`);
      rows.push({
        pair: `${x} ↔ ${y}${sets === 'relayed' ? ' (baseline: both relayed)' : ''}`,
        route: [...routes].join(', '),
        'first message ms': Number(median(first).toFixed(0)),
        'next message ms': Number(median(second).toFixed(0)),
        'why not direct': reason || '-',
      });
    }
  } finally {
    await people.stop();
    await services.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
