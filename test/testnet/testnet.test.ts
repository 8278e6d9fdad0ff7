import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Identity } from '../../src/identity/index.js';
import { DhtNode, lookupIntro, publishIntro } from '../../src/dht/index.js';
import { loopbackAddress, startTestnet, TestnetError } from '../../src/testnet/index.js';
import { until } from '../helpers/until.js';

const now = () => Math.floor(Date.now() / 1000);

describe('startTestnet', () => {
  it('starts 8 DHT nodes on distinct 127.0.0.x addresses that all know each other, sending nothing off loopback', async () => {
    const net = await startTestnet({ dhtNodes: 8 });
    try {
      const hosts = net.nodes.map((n) => n.address().host);
      expect(hosts).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9']);
      expect(net.bootstrap).toEqual([`127.0.0.2:${net.nodes[0]!.address().port}`]);
      for (const node of net.nodes) {
        expect(node.nodeCount()).toBe(7);
        expect(node.stats().blockedSends).toBe(0);
        expect(node.forTest().dht._rpc.bootstrap.every((b) => b.host === '127.0.0.2')).toBe(true);
      }
      expect(net.relays).toEqual([]);
    } finally {
      await net.stop();
    }
  });

  it('is a network people can use: a record published through one node is found through another', async () => {
    const net = await startTestnet({ dhtNodes: 8, relays: 2 });
    const alice = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.60', loopbackOnly: true });
    const bob = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.61', loopbackOnly: true });
    try {
      await Promise.all([alice.start(), bob.start()]);
      const who = Identity.generate();
      await publishIntro(alice, who, { expiresAt: now() + 600 }, 1);
      expect((await lookupIntro(bob, who.id, now())).id).toBe(who.id);
    } finally {
      await Promise.all([alice.stop(), bob.stop()]);
      await net.stop();
    }
  });

  it('forgets a node that left, so it is not handed out to newcomers', async () => {
    const net = await startTestnet({ dhtNodes: 4, sweepMs: 100 });
    try {
      const visitor = new DhtNode({ bootstrap: net.bootstrap, host: '127.0.0.62', loopbackOnly: true });
      await visitor.start();
      expect(net.nodes.map((n) => n.nodeCount())).toEqual([4, 4, 4, 4]);
      await visitor.stop();
      await until(
        () => net.nodes.every((n) => n.nodeCount() === 3),
        () => `every node to forget the visitor (counts ${net.nodes.map((n) => n.nodeCount()).join(', ')})`,
        5_000,
      );
      expect(net.nodes.map((n) => n.nodeCount())).toEqual([3, 3, 3, 3]);
    } finally {
      await net.stop();
    }
  });

  it('releases every address and port when stopped', async () => {
    const net = await startTestnet({ dhtNodes: 3 });
    const addresses = net.nodes.map((n) => n.address());
    await net.stop();
    for (const { host, port } of addresses) {
      const s = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port, host, () => resolve());
      });
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('leaves nothing running: a process that starts and stops one exits by itself', async () => {
    const script = fileURLToPath(new URL('./exit-after-stop.ts', import.meta.url));
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 15_000 });
    expect(out).toBe('stopped\n');
  });

  it('rejects impossible sizes, and numbers addresses from 127.0.0.2', async () => {
    await expect(startTestnet({ dhtNodes: 0 })).rejects.toBeInstanceOf(TestnetError);
    await expect(startTestnet({ dhtNodes: 1.5 })).rejects.toMatchObject({ code: 'BAD_SIZE' });
    expect([0, 1, 249, 250, 251].map(loopbackAddress)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.251', '127.0.1.2', '127.0.1.3']);
  });
});
