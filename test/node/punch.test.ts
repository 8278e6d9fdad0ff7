import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { world, received, delivered } from '../helpers/people.js';
import { openDb, getKv, setKv } from '../../src/store/index.js';
import type { ParleyNode } from '../../src/node/index.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';

/** A TCP port on this host that nothing listens on (bound, then closed). */
async function deadPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Points the stored TCP endpoint of `of` in `home` at a dead port (as behind a NAT: the dial fails), keeping the key. */
async function breakTcpReach(home: string, of: string): Promise<void> {
  const db = openDb(join(home, 'parley.db'));
  try {
    const reach = JSON.parse(getKv(db, `reach.${of}`)!) as { endpoint: string; transportKey: string };
    const host = reach.endpoint.slice(0, reach.endpoint.lastIndexOf(':'));
    setKv(db, `reach.${of}`, JSON.stringify({ ...reach, endpoint: `${host}:${await deadPort(host)}` }));
  } finally {
    db.close();
  }
}

/*
 * Two `direct` contacts whose TCP endpoints cannot be dialled (on loopback: their stored endpoints
 * lead to closed ports) punch a UDP path instead, coordinated through their relays, and talk on it.
 * The network-namespace version with real NATs is test/reliability/nat-node.test.ts.
 */
describe('direct contacts whose TCP dial fails punch a UDP path', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(4, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('carries messages both ways device to device over the punched path', async () => {
    const relays = w.net.relays;
    let [alice, bob]: ParleyNode[] = await w.pair('alice', 'bob', { a: { relays }, b: { relays }, visibility: 'direct' });
    alice.send(bob.id, 'hello');
    await received(bob, alice.id, 1);
    bob.send(alice.id, 'hello back');
    await delivered(bob, alice.id, 1);
    await delivered(alice, bob.id, 1);
    // Both restart (every TCP link closes), each now knowing a dead TCP endpoint of the other.
    const [aHost, bHost] = [alice.address().host, bob.address().host];
    await w.stop(alice);
    await w.stop(bob);
    await breakTcpReach(join(w.root, 'alice'), bob.id);
    await breakTcpReach(join(w.root, 'bob'), alice.id);
    alice = await w.start('alice', { relays, host: aHost });
    bob = await w.start('bob', { relays, host: bHost });

    const m = alice.send(bob.id, 'over UDP');
    await received(bob, alice.id, 2);
    await delivered(alice, bob.id, 2);
    const r = bob.send(alice.id, 'and back');
    await received(alice, bob.id, 2);
    await delivered(bob, alice.id, 2);
    const routeOf = (node: ParleyNode, peer: string, id: string) => JSON.parse(node.history(peer).find((x) => x.id === id)!.route!) as RouteReceipt;
    expect(routeOf(alice, bob.id, m.id)).toMatchObject({ route: 'direct', hops: ['direct'] });
    expect(routeOf(bob, alice.id, m.id).route).toBe('direct');
    expect(routeOf(bob, alice.id, r.id)).toMatchObject({ route: 'direct', hops: ['direct'] });
    expect(alice.forTest().punchStats().punched + bob.forTest().punchStats().punched).toBeGreaterThanOrEqual(2);
    expect(alice.online()).toContain(bob.id);
  }, 60_000);
});
