import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { history, setKv, type MessageRow, type Visibility } from '../../src/store/index.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';
import { Internet, netnsUnavailable, RELAY_HOSTS, type NatKind } from './netns/internet.js';
import { lineChild, type LineChild } from './netns/line-child.js';
import { NatPeople, type Person } from './netns/nat-people.js';
import { withDb } from './processes.js';

/*
 * Two real Parley nodes, each behind its own NAT in network namespaces this test creates and removes
 * (netns/internet.ts: private addresses only), with real DHT nodes and two relays on the public
 * segment. Contacts both set `direct` punch a UDP hole (candidates exchanged inside Signal through a
 * relay) and then talk device to device; where both NATs change ports the message goes through a
 * relay and its receipt says why; a contact set `relayed` is never sent a candidate.
 */
const tag = `pn${process.pid % 100000}`;
const why = netnsUnavailable(tag);
if (why) console.warn(`SKIPPED NAT node test: ${why}`);

interface Stats {
  offersSent: number;
  answersSent: number;
  candidatesReceived: number;
  refused: number;
  punched: number;
}

const routeOf = (m: MessageRow) => JSON.parse(m.route!) as RouteReceipt;
const inNs = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });

describe.skipIf(why !== null)('Parley nodes behind NATs punch holes (network namespaces)', () => {
  const net = new Internet(tag);
  const root = mkdtempSync(join(tmpdir(), 'parley-nat-node-'));
  let services: LineChild | undefined;
  let people: NatPeople | undefined;

  beforeAll(async () => {
    net.build();
    services = lineChild(net.publicNs, process.execPath, ['--import', 'tsx', 'test/reliability/netns/punch-services.ts', RELAY_HOSTS[0]!, ...RELAY_HOSTS]);
    people = new NatPeople(net, JSON.stringify(await services.next()), root);
    // Counts UDP between the two NATs' public addresses, as a capture on the public segment would.
    for (const [s, d] of [
      ['10.205.0.2', '10.205.1.2'],
      ['10.205.1.2', '10.205.0.2'],
    ] as const) {
      inNs(net.publicNs, 'iptables', '-I', 'FORWARD', '-p', 'udp', '-s', s, '-d', d);
    }
  }, 60_000);

  afterAll(async () => {
    await people?.stop();
    await services?.stop();
    net.remove();
    rmSync(root, { recursive: true, force: true });
  });

  /** Sends and checks that exactly these texts arrived; returns the sender's rows. */
  async function say(x: Person, y: Person, texts: string[]): Promise<MessageRow[]> {
    const { sent, got } = await people!.say(x, y, texts);
    expect(got.map((m) => m.body)).toEqual(texts);
    return sent;
  }
  const pair = (kinds: [NatKind, NatKind], sets: [Visibility, Visibility]) => people!.pair(kinds, sets);

  const stats = (p: Person) => p.child!.ask<Stats>('stats');
  const relayed = async () => services!.ask<{ sends: number; mails: number }>('metrics');
  const udpBetweenNats = () =>
    inNs(net.publicNs, 'iptables', '-L', 'FORWARD', '-v', '-x', '-n')
      .split('\n')
      .filter((l) => /\s(udp|17)\s/.test(l) && /10\.205\.[01]\.2\s+10\.205\.[01]\.2/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[0]));

  it('MASQUERADE ↔ MASQUERADE, both direct: device to device both ways, no relay in the path', async () => {
    const [a, b] = await pair(['masquerade', 'masquerade'], ['direct', 'direct']);
    // The first message carries A's reach (A knows no way to B yet); B's answers punch the hole.
    await say(a, b, ['hello from behind NAT 1']);
    const back = await say(b, a, ['hello from behind NAT 2']);
    expect(routeOf(back[0]!).route).toBe('direct');
    expect((await stats(a)).punched + (await stats(b)).punched).toBeGreaterThanOrEqual(2);

    const relayBefore = await relayed();
    const udpBefore = udpBetweenNats();
    const there = await say(a, b, ['device to device', 'and again']);
    const again = await say(b, a, ['and back']);
    for (const m of [...there, ...again]) expect(routeOf(m)).toMatchObject({ route: 'direct', hops: ['direct'] });
    const inB = withDb(b.home, (db) => history(db, a.identity.id, 100).find((m) => m.id === there[0]!.id)!);
    expect(routeOf(inB).route).toBe('direct');
    // Seen from the outside: the relays forwarded no mail meanwhile, and UDP flowed between the NATs both ways.
    expect(await relayed()).toEqual(relayBefore);
    const udpAfter = udpBetweenNats();
    expect(udpAfter).toHaveLength(2);
    udpAfter.forEach((n, i) => expect(n).toBeGreaterThan(udpBefore[i]!));
  }, 180_000);

  it('symmetric ↔ symmetric: through the relay, and the receipt says direct is not possible', async () => {
    const [a, b] = await pair(['symmetric', 'symmetric'], ['direct', 'direct']);
    await say(a, b, ['hello']);
    const back = await say(b, a, ['hi']);
    const there = await say(a, b, ['once more']);
    for (const m of [...back, ...there]) {
      expect(routeOf(m)).toMatchObject({ route: 'one-relay', hops: ['their-relay'], reason: 'direct not possible: both networks change ports' });
    }
    // What the person reads: `parley history` says it in the same words.
    const printed = execFileSync(process.execPath, ['bin/parley.js', 'history', '--home', b.home], { encoding: 'utf8' });
    expect(printed.split('\n').find((l) => l.includes('me: hi'))).toMatch(/one-relay \(their-relay\).*; direct not possible: both networks change ports\)/);
  }, 180_000);

  it('a contact set relayed is never sent a candidate, even when it offers one', async () => {
    // A hides its IP from B; B still holds an old reach of A (as if A had been direct before).
    const [a, b] = await pair(['masquerade', 'masquerade'], ['relayed', 'direct']);
    withDb(b.home, (db) =>
      setKv(
        db,
        `reach.${a.identity.id}`,
        JSON.stringify({ v: 1, t: 'reach', endpoint: `${a.side.host}:9`, transportKey: Buffer.alloc(32, 1).toString('base64') }),
      ),
    );
    await say(a, b, ['hello, through two relays']);
    const sent = await say(b, a, ['let us punch?']);
    expect(routeOf(sent[0]!)).toMatchObject({ route: 'one-relay', reason: expect.stringMatching(/^direct not possible/) as unknown });
    await say(a, b, ['still relayed']);
    const [sa, sb] = [await stats(a), await stats(b)];
    expect(sa).toMatchObject({ offersSent: 0, answersSent: 0 });
    expect(sa.candidatesReceived).toBeGreaterThanOrEqual(1);
    expect(sa.refused).toBe(sa.candidatesReceived);
    expect(sb.candidatesReceived).toBe(0);
  }, 180_000);
});
