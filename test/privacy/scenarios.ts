import { afterAll, beforeAll } from 'vitest';
import type { ParleyNode, NodeOptions } from '../../src/node/index.js';
import { DhtNode } from '../../src/dht/index.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayAnnouncer, RelayServer, descriptorPublisher, dhtRelays } from '../../src/relay/index.js';
import { silentLogger } from '../../src/relay/logger.js';
import type { Testnet, TestnetOptions } from '../../src/testnet/index.js';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { Observer, type Linked, type Watched } from '../helpers/observer.js';

/**
 * The settings the observer tests run, each in a world of 6 DHT nodes and 2 relays watched from the
 * start. Every person is `relayed` towards strangers (not "reachable directly by strangers"); each
 * uses one relay as their own (the guard) and may use the other as the exit of their DHT traffic.
 */
export type World = Awaited<ReturnType<typeof world>>;

/**
 * A world watched from the start, for one describe block (call it in the block's body): the world
 * and its observer are made before the block's tests, and after them the observer stops, the world
 * closes and any relay a test added with `laterRelay` stops. The tests read `w` and `obs` from it.
 */
export function observed<W extends { net: Testnet; close(): Promise<void> }>(make: () => Promise<W>) {
  let w: W | undefined;
  let obs: Observer | undefined;
  const later: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    w = await make();
    obs = new Observer(w.net);
  });
  afterAll(async () => {
    obs?.stop();
    await w?.close();
    for (const stop of later) await stop();
  });
  return {
    get w(): W {
      return w!;
    },
    get obs(): Observer {
      return obs!;
    },
    /** A relay that comes up later beside the world (see `laterRelay`), watched from its start, stopped after the block. */
    async laterRelay(host: string): Promise<Awaited<ReturnType<typeof laterRelay>>> {
      const relay = await laterRelay(w!.net, host);
      later.push(relay.stop);
      obs!.watch(relay.server);
      return relay;
    },
  };
}

/** `observed` for a world of people (test/helpers/people.ts): 6 DHT nodes and 2 relays unless told. */
export function observedWorld(dhtNodes = 6, relays = 2, netOpts: Partial<TestnetOptions> = {}) {
  return observed(() => world(dhtNodes, relays, netOpts));
}

/** Person on relay `guard` (0 or 1), reaching the DHT through the other relay. */
export function onRelay(w: World, guard: 0 | 1): Partial<NodeOptions> {
  return { relays: [w.net.relays[guard]!], exitRelays: [w.net.relays[1 - guard]!] } as Partial<NodeOptions>;
}

export function watched(name: string, node: ParleyNode): Watched {
  return { name, host: node.address().host, id: node.id };
}

/** A conversation both ways, `count` messages each, every one delivered. */
export async function talk(a: ParleyNode, b: ParleyNode, count: number, text = (i: number) => `message ${i}`): Promise<void> {
  const inA = a.history(b.id, 100_000).filter((m) => m.direction === 'in').length;
  const inB = b.history(a.id, 100_000).filter((m) => m.direction === 'in').length;
  const outA = a.history(b.id, 100_000).filter((m) => m.direction === 'out').length;
  const outB = b.history(a.id, 100_000).filter((m) => m.direction === 'out').length;
  for (let i = 0; i < count; i++) a.send(b.id, text(i));
  await received(b, a.id, inB + count);
  for (let i = 0; i < count; i++) b.send(a.id, text(i));
  await received(a, b.id, inA + count);
  await delivered(a, b.id, outA + count);
  await delivered(b, a.id, outB + count);
}

/** First contact by ID: `a` adds `b` and writes; `b` accepts the request and answers. */
export async function firstContact(a: ParleyNode, b: ParleyNode): Promise<void> {
  a.addContact(b.id);
  a.send(b.id, 'hello, it is me');
  await until(() => b.contacts().find((c) => c.id === a.id)?.state === 'request', 'the contact request to arrive');
  b.accept(a.id);
  b.send(a.id, 'hello to you');
  await received(a, b.id, 1);
  await delivered(a, b.id, 1);
}

/** The IDs linked to each person, as the world can read them from the DHT (intro records). */
export async function linkedIds(w: World, obs: Observer, ...people: ParleyNode[]): Promise<Linked[]> {
  return Promise.all(people.map((p) => until(() => obs.linked(w.net, p.id), `${p.id.slice(0, 8)}'s intro record`)));
}

/**
 * A relay that comes up later beside a testnet, as a relay operator would start one on the
 * internet: its descriptor in the DHT, announced on the relay infohash, able to be a DHT exit.
 */
export async function laterRelay(net: Testnet, host: string): Promise<{ server: RelayServer; stop: () => Promise<void> }> {
  const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
  const dht = new DhtNode({ bootstrap: net.bootstrap, host, loopbackOnly: true, queryTimeoutMs: 500 });
  await dht.start();
  const server = new RelayServer({ host, keyPair, relays: dhtRelays(dht), allowPrivateHops: true, dht });
  await server.start();
  const publisher = descriptorPublisher(dht, keyPair, () => server.descriptor());
  await publisher.start();
  const announcer = new RelayAnnouncer({ dht, port: () => server.address().port, logger: silentLogger });
  await announcer.start();
  return {
    server,
    stop: async () => {
      await announcer.stop();
      await publisher.stop();
      await server.stop();
      await dht.stop();
    },
  };
}
