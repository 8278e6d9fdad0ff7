import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, saveIdentity } from '../../src/identity/index.js';
import { ParleyNode, type NodeOptions, type RelayAddress } from '../../src/node/index.js';
import { startTestnet, type TestnetOptions } from '../../src/testnet/index.js';
import type { MessageRow, Visibility } from '../../src/store/index.js';
import { until } from './until.js';

/** A temp folder of homes plus a local testnet, torn down together. */
export async function world(dhtNodes = 6, relays = 0, netOpts: Partial<TestnetOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const net = await startTestnet({ dhtNodes, relays, ...netOpts });
  const running = new Set<ParleyNode>();
  let nextHost = 50 + Math.floor(Math.random() * 150);
  return {
    root,
    net,
    /** Creates a home with a fresh identity (once) and starts a node on its own 127.0.0.x. */
    async start(name: string, extra: Partial<NodeOptions> = {}): Promise<ParleyNode> {
      const home = join(root, name);
      try {
        saveIdentity(home, Identity.generate());
      } catch {
        // already created: this is a restart
      }
      const node = new ParleyNode({
        home,
        bootstrap: net.bootstrap,
        host: `127.0.0.${nextHost++}`,
        retry: { baseMs: 200, maxMs: 1_000 },
        // A node without a relay is reachable only by direct address: these tests chose that.
        ...(extra.relays || extra.relayKeys ? {} : { reachableByStrangers: true }),
        // A person who names some of the world's relays knows the others too, as DHT exits: with one
        // relay alone their DHT lookups would wait for a second (issue 13 §5).
        ...exitsBesides(net.relays, extra.relays ?? extra.relayKeys?.map((publicKey) => ({ publicKey }))),
        ...extra,
      });
      await node.start();
      running.add(node);
      return node;
    },
    /**
     * Starts two people who added each other by ID (nothing else exchanged). `visibility` is what
     * each lets the other see; left out, the default (relayed) stands.
     */
    async pair(
      a: string,
      b: string,
      o: { a?: Partial<NodeOptions>; b?: Partial<NodeOptions>; visibility?: Visibility } = {},
    ): Promise<[ParleyNode, ParleyNode]> {
      const first = await this.start(a, o.a);
      const second = await this.start(b, o.b);
      first.addContact(second.id);
      second.addContact(first.id);
      if (o.visibility) {
        first.setVisibility(second.id, o.visibility);
        second.setVisibility(first.id, o.visibility);
      }
      return [first, second];
    },
    async stop(node: ParleyNode): Promise<void> {
      running.delete(node);
      await node.stop();
    },
    async close(): Promise<void> {
      await Promise.all([...running].map((n) => n.stop()));
      await net.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The world's relays a person did not name (by address or key), as their DHT exits (none: the node's own default). */
function exitsBesides(all: RelayAddress[], named: Array<{ publicKey: string }> | undefined): { exitRelays?: RelayAddress[] } {
  const rest = named ? all.filter((r) => !named.some((x) => x.publicKey === r.publicKey)) : [];
  return rest.length ? { exitRelays: rest } : {};
}

/** Resolves once `node` has received `count` messages from `from` in total (history included). */
export function received(node: ParleyNode, from: string, count: number, timeoutMs = 30_000): Promise<MessageRow[]> {
  const rows = () => node.history(from, 100_000).filter((m) => m.direction === 'in');
  return until(
    () => (rows().length >= count ? rows() : undefined),
    () => `${count} messages to arrive (${rows().length} did)`,
    timeoutMs,
  );
}

/** Resolves once `count` of `node`'s messages to `to` have a receipt. */
export function delivered(node: ParleyNode, to: string, count: number, timeoutMs = 30_000): Promise<MessageRow[]> {
  const rows = () => node.history(to, 100_000).filter((m) => m.direction === 'out' && m.state === 'delivered');
  return until(
    () => (rows().length >= count ? rows() : undefined),
    () => `${count} receipts to arrive (${rows().length} did)`,
    timeoutMs,
  );
}
