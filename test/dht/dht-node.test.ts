import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Identity } from '../../src/identity/index.js';
import { DhtError, DhtNode, INTRO_SALT, type DhtNodeOptions } from '../../src/dht/index.js';
import { guardedVerify } from '../../src/dht/verify.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { until } from '../helpers/until.js';

const started: DhtNode[] = [];
const sockets: Socket[] = [];
let hostByte = 140 + Math.floor(Math.random() * 100);
const nextHost = () => `127.0.0.${(hostByte++ % 240) + 10}`;

async function node(opts: Partial<DhtNodeOptions> = {}): Promise<DhtNode> {
  const n = new DhtNode({ bootstrap: [], host: nextHost(), ...opts });
  started.push(n);
  await n.start();
  return n;
}

/** A UDP socket that receives and never answers. */
async function blackHole(): Promise<string> {
  const s = createSocket('udp4');
  sockets.push(s);
  const host = nextHost();
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  return `${host}:${s.address().port}`;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((n) => n.stop()));
  for (const s of sockets.splice(0)) s.close();
});

describe('DhtNode', () => {
  it('with an empty bootstrap list contacts nobody (the library never falls back to its public routers)', async () => {
    const lone = await node({ loopbackOnly: false });
    expect(lone.forTest().dht._rpc.bootstrap).toEqual([]);
    // The library's bootstrap phase is over once it says ready: a fallback to its public routers
    // would have sent (or, blocked, counted) its first queries by then.
    await until(() => lone.forTest().dht.ready, 'the library to finish bootstrapping', 5_000);
    expect(lone.stats()).toMatchObject({ queriesSent: 0, blockedSends: 0, nodes: 0 });
  });

  it('cannot be built without an explicit bootstrap list, nor with a malformed entry', () => {
    expect(() => new DhtNode({} as DhtNodeOptions)).toThrow(expect.objectContaining({ code: 'BAD_BOOTSTRAP' }));
    const err = (() => {
      try {
        new DhtNode({ bootstrap: ['192.0.2.7'] });
      } catch (e) {
        return e as DhtError;
      }
    })();
    expect(err?.code).toBe('BAD_BOOTSTRAP');
    expect(err?.message).not.toContain('192.0.2.7');
  });

  it('with loopbackOnly refuses to send off loopback, and logs no address', async () => {
    const { logger, lines } = capturingLogger();
    const guarded = await node({ bootstrap: ['192.0.2.1:6881'], loopbackOnly: true, logger, readyTimeoutMs: 200 });
    expect(guarded.stats().blockedSends).toBeGreaterThanOrEqual(1);
    expect(guarded.queryCount()).toBe(0);
    expect(lines.join('\n')).toMatch(/no DHT bootstrap node answered/);
    expect(lines.join('\n')).not.toMatch(/192\.0\.2\.1|127\.0\.0\./);
  });

  it('reports a port in use or a foreign address as BIND_FAILED', async () => {
    const first = await node();
    const { host, port } = first.address();
    const inUse = (await node({ host, port }).then(
      () => new Error('bound twice'),
      (e: unknown) => e,
    )) as DhtError;
    expect(inUse).toMatchObject({ code: 'BIND_FAILED', message: expect.stringContaining('EADDRINUSE') });
    expect(inUse.message).not.toContain(host);
    expect(inUse.cause).toBeUndefined();
    await expect(node({ host: '192.0.2.1' })).rejects.toMatchObject({ code: 'BIND_FAILED' });
  });

  it('alone, says it has no network rather than that nothing exists', async () => {
    const lone = await node();
    const alice = Identity.generate();
    const put = lone.putMutable({ keyPair: alice.identityKey, salt: INTRO_SALT, value: Buffer.from('x'), seq: 1 });
    await expect(put).rejects.toMatchObject({ code: 'NO_BOOTSTRAP' });
    await expect(lone.getMutable(alice.identityKey.publicKey, INTRO_SALT)).rejects.toMatchObject({ code: 'NO_BOOTSTRAP' });
  });

  it('settles operations still in flight when stopped', async () => {
    const n = await node({ bootstrap: [await blackHole()], readyTimeoutMs: 50, queryTimeoutMs: 10_000 });
    const sentBefore = n.stats().queriesSent;
    const pending = n.getMutable(Identity.generate().identityKey.publicKey, INTRO_SALT);
    await until(() => n.stats().queriesSent > sentBefore, 'the lookup to be on its way to the black hole', 5_000);
    const t0 = Date.now();
    await n.stop();
    await expect(pending).rejects.toMatchObject({ code: 'DHT_STOPPED' });
    expect(Date.now() - t0).toBeLessThan(1_000);
    await expect(n.getMutable(Buffer.alloc(32), INTRO_SALT)).rejects.toMatchObject({ code: 'DHT_NOT_STARTED' });
  });

  it('survives datagrams that make bittorrent-dht throw, and keeps serving', async () => {
    const target = await node();
    const { host, port } = target.address();
    const id = 'a'.repeat(20);
    const junk = [
      `d1:ad2:id20:${id}6:targeti5ee1:q3:get1:t2:aa1:y1:qe`,
      `d1:ad2:id20:${id}5:tokeni5e1:v1:xe1:q3:put1:t2:ab1:y1:qe`,
      `d1:ad2:id20:${id}9:info_hashi7ee1:q9:get_peers1:t2:ac1:y1:qe`,
      `d1:ad2:id20:${id}6:targeti7ee1:q9:find_node1:t2:ad1:y1:qe`,
    ];
    const s = createSocket('udp4');
    sockets.push(s);
    for (const m of junk) s.send(Buffer.from(m), port, host);
    await until(
      () => target.stats().droppedIncoming >= junk.length,
      () => `${junk.length} junk packets dropped (${target.stats().droppedIncoming} were)`,
      5_000,
    );
    expect(target.stats().droppedIncoming).toBe(junk.length);
    // The junk's sender id got into the routing table; a short query timeout skips it quickly.
    const joiner = await node({ bootstrap: [`${host}:${port}`], queryTimeoutMs: 200 });
    expect(joiner.nodeCount()).toBe(1);
  });

  it("hands bittorrent-dht a verify that never throws on a peer's missing or mistyped fields", () => {
    const verify = guardedVerify(() => {
      throw new Error('boom');
    });
    expect(verify(undefined, new Uint8Array(3), Buffer.alloc(32))).toBe(false);
    expect(verify(Buffer.alloc(64), 5, Buffer.alloc(32))).toBe(false);
    expect(verify(Buffer.alloc(64), Buffer.alloc(3), Buffer.alloc(32))).toBe(false);
  });
});
