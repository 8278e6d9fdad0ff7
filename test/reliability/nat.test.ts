import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, saveIdentity } from '../../src/identity/index.js';
import { addContact, queueMessage } from '../../src/node/index.js';
import { history, setVisibility, type MessageRow, type Visibility } from '../../src/store/index.js';
import { netnsUnavailable } from './netns/internet.js';
import { startProgram, withDb, type Child } from './processes.js';
import { until } from '../helpers/until.js';

/*
 * Two people behind two separate NATs (network namespaces, iptables MASQUERADE) and one on the
 * "internet" without NAT. They must reach each other through relays; device to device only where
 * the network allows it (towards the person without NAT). Every address is private (10.201/16,
 * 192.168.101-102/24) inside namespaces this test creates and removes; nothing can reach a public
 * address. Without root, `ip netns` or iptables the test is skipped, saying why.
 *
 *   A 192.168.101.2 ── NAT r1 ──┐                       ┌── NAT r2 ── 192.168.102.2 B
 *                    10.201.1.2 └── internet namespace ─┘ 10.201.2.2
 *                                   DHT 10.201.0.1, relays 10.201.0.2 / .3, C 10.201.0.9
 */

const tag = `pl${process.pid % 100000}`;
const ns = { inet: `${tag}i`, r1: `${tag}r1`, r2: `${tag}r2`, a: `${tag}a`, b: `${tag}b` };

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}
const ip = (...args: string[]) => sh('ip', args);
const inNs = (name: string, cmd: string, ...args: string[]) => sh('ip', ['netns', 'exec', name, cmd, ...args]);

const why = netnsUnavailable(tag);
if (why) console.warn(`SKIPPED NAT test: ${why}`);

function buildNetwork(): void {
  for (const name of Object.values(ns)) {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }
  for (const addr of ['10.201.0.1', '10.201.0.2', '10.201.0.3', '10.201.0.9']) ip('-n', ns.inet, 'addr', 'add', `${addr}/32`, 'dev', 'lo');
  inNs(ns.inet, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  const sides = [
    { router: ns.r1, host: ns.a, wan: '10.201.1', lan: '192.168.101' },
    { router: ns.r2, host: ns.b, wan: '10.201.2', lan: '192.168.102' },
  ];
  sides.forEach((s, i) => {
    const [iw, rw, rl, hl] = [`${tag}w${i}`, `${tag}W${i}`, `${tag}l${i}`, `${tag}L${i}`];
    ip('-n', ns.inet, 'link', 'add', iw, 'type', 'veth', 'peer', 'name', rw, 'netns', s.router);
    ip('-n', ns.inet, 'addr', 'add', `${s.wan}.1/24`, 'dev', iw);
    ip('-n', ns.inet, 'link', 'set', iw, 'up');
    ip('-n', s.router, 'addr', 'add', `${s.wan}.2/24`, 'dev', rw);
    ip('-n', s.router, 'link', 'set', rw, 'up');
    ip('-n', s.router, 'link', 'add', rl, 'type', 'veth', 'peer', 'name', hl, 'netns', s.host);
    ip('-n', s.router, 'addr', 'add', `${s.lan}.1/24`, 'dev', rl);
    ip('-n', s.router, 'link', 'set', rl, 'up');
    ip('-n', s.host, 'addr', 'add', `${s.lan}.2/24`, 'dev', hl);
    ip('-n', s.host, 'link', 'set', hl, 'up');
    ip('-n', s.host, 'route', 'add', 'default', 'via', `${s.lan}.1`);
    ip('-n', s.router, 'route', 'add', 'default', 'via', `${s.wan}.1`);
    inNs(s.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    inNs(s.router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', rw, '-j', 'MASQUERADE');
  });
}

function removeNetwork(): void {
  for (const name of Object.values(ns)) {
    try {
      ip('netns', 'del', name);
    } catch {
      // not created
    }
  }
}

interface Person {
  home: string;
  identity: Identity;
  host: string;
  netns: string;
  child?: Child;
}

describe.skipIf(why !== null)('people behind NATs (network namespaces)', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-nat-'));
  let services: Child | undefined;
  let net: { bootstrap: string[]; relays: Array<{ host: string; port: number; publicKey: string }> };
  const people: Record<'a' | 'b' | 'c', Person> = {
    a: { home: join(root, 'a'), identity: Identity.generate(), host: '192.168.101.2', netns: ns.a },
    b: { home: join(root, 'b'), identity: Identity.generate(), host: '192.168.102.2', netns: ns.b },
    c: { home: join(root, 'c'), identity: Identity.generate(), host: '10.201.0.9', netns: ns.inet },
  };

  beforeAll(async () => {
    removeNetwork();
    buildNetwork();
    services = await startProgram(
      'ip',
      ['netns', 'exec', ns.inet, process.execPath, '--import', 'tsx', 'test/reliability/netns/services.ts', '10.201.0.1', '10.201.0.2', '10.201.0.3'],
      /\}\n/,
    );
    net = JSON.parse(services.output().trim().split('\n').at(-1)!) as typeof net;
    const relayOf = { a: 0, b: 1, c: 1 };
    for (const [name, p] of Object.entries(people) as Array<['a' | 'b' | 'c', Person]>) {
      saveIdentity(p.home, p.identity);
      const r = net.relays[relayOf[name]]!;
      p.child = await startProgram(
        'ip',
        [
          'netns',
          'exec',
          p.netns,
          process.execPath,
          'bin/parley.js',
          'run',
          '--no-ui',
          '--home',
          p.home,
          '--host',
          p.host,
          '--bootstrap',
          ...net.bootstrap,
          '--relay',
          `${r.host}:${r.port}:${r.publicKey}`,
          // The other relay too: with one alone, DHT lookups would wait for a second (issue 13 §5).
          '--relay',
          `${net.relays[1 - relayOf[name]]!.host}:${net.relays[1 - relayOf[name]]!.port}:${net.relays[1 - relayOf[name]]!.publicKey}`,
        ],
        /is running/,
      );
    }
  }, 90_000);

  afterAll(async () => {
    for (const p of Object.values(people)) await p.child?.stop();
    await services?.stop();
    removeNetwork();
    rmSync(root, { recursive: true, force: true });
  });

  /** Contacts both ways with the given settings (written to the databases the running nodes read). */
  function befriend(x: Person, y: Person, xSets: Visibility, ySets: Visibility): void {
    for (const [me, them, sets] of [
      [x, y, xSets],
      [y, x, ySets],
    ] as const) {
      withDb(me.home, (db) => {
        addContact(db, me.identity.id, them.identity.id, Date.now());
        setVisibility(db, them.identity.id, sets);
      });
    }
  }

  /** Queues `texts` from x to y (as `parley send` does beside a running node) and waits for every receipt. */
  async function say(x: Person, y: Person, texts: string[]): Promise<MessageRow[]> {
    const ids = withDb(x.home, (db) => texts.map((t) => queueMessage(db, x.identity.id, y.identity.id, t, Date.now()).id));
    const sentRows = () => withDb(x.home, (db) => history(db, y.identity.id, 10_000).filter((m) => ids.includes(m.id)));
    await until(() => sentRows().every((m) => m.state === 'delivered'), `${texts.length} messages to be confirmed`, 60_000);
    const got = withDb(y.home, (db) => history(db, x.identity.id, 10_000).filter((m) => m.direction === 'in' && ids.includes(m.id)));
    expect(got.map((m) => m.body)).toEqual(texts);
    return sentRows();
  }

  const routeOf = (m: MessageRow) => (JSON.parse(m.route!) as { route: string }).route;

  it('reach each other through relays (relayed, the default)', async () => {
    const { a, b } = people;
    befriend(a, b, 'relayed', 'relayed');
    const sent = await say(a, b, ['hello from behind NAT 1', 'second']);
    expect(sent.map(routeOf)).toEqual(['two-relays', 'two-relays']);
    await say(b, a, ['hello from behind NAT 2']);
  }, 90_000);

  it('both set direct, but neither can be dialled behind their NAT: messages go through the relay instead of waiting', async () => {
    const { a, b } = people;
    withDb(a.home, (db) => setVisibility(db, b.identity.id, 'direct'));
    withDb(b.home, (db) => setVisibility(db, a.identity.id, 'direct'));
    // The first exchange carries each side's (private, undiallable) address to the other.
    await say(a, b, ['now direct?']);
    await say(b, a, ['let us try']);
    const sent = await say(a, b, ['after the addresses were exchanged']);
    expect(routeOf(sent[0]!)).toBe('one-relay');
  }, 120_000);

  it('direct where the network allows it: to someone without NAT', async () => {
    const { a, c } = people;
    befriend(a, c, 'direct', 'direct');
    await say(a, c, ['first contact']);
    await say(c, a, ['welcome']);
    const sent = await say(a, c, ['device to device?']);
    expect(routeOf(sent[0]!)).toBe('direct');
    await say(c, a, ['yes, as far as the network allows']);
  }, 120_000);
});
