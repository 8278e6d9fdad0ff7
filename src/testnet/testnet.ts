import pino, { type Logger } from 'pino';
import { DhtNode, formatHostPort } from '../dht/index.js';
import { loopbackAddress, MAX_TESTNET_NODES } from './addresses.js';
import { TestnetError } from './errors.js';
import { RelayAnnouncer, RelayServer, configuredRelays, descriptorPublisher, dhtRelays, type RelayLimits, type RelayServerOptions } from '../relay/index.js';
import { silentLogger } from '../relay/logger.js';
import { Ed25519KeyPair, randomBytes } from '../identity/index.js';
import { startAttestor, type TestnetAttestor } from './attestor.js';

export interface TestnetOptions {
  /** DHT nodes to run; the first is everyone's bootstrap node. */
  dhtNodes: number;
  /** Relays to run beside them, each on its own 127.0.2.x. */
  relays?: number;
  /** Node i listens on basePort + i; by default every port is chosen by the OS, so parallel testnets never collide. */
  basePort?: number;
  logger?: Logger;
  /** Longest wait for every node to know its peers. */
  connectTimeoutMs?: number;
  /** How often each node pings its routing table to forget nodes that stopped (default 1000 ms). */
  sweepMs?: number;
  /** Also run an attestor (127.0.3.10) whose codes go to a loopback SMTP sink and an SMS file. */
  attestor?: boolean | { smsFile?: string };
  /**
   * Like a public network: the relays are not handed to anyone (`relays` is empty), each sits in a
   * /16 of its own (127.(20+i).0.10), and nodes find them in the DHT where they announce themselves.
   */
  discoverRelays?: boolean;
  /** Limits for every relay (benches raise the per-connection byte rate to measure the protocol, not the policy). */
  relayLimits?: Partial<RelayLimits>;
}

/** One relay of the testnet, as clients will need to reach it (filled in once relays are started here). */
export interface TestnetRelay {
  host: string;
  port: number;
  publicKey: string;
}

export interface Testnet {
  /** `host:port` of the bootstrap node, for `DhtNode`'s and `ParleyNode`'s `bootstrap`. */
  bootstrap: string[];
  nodes: DhtNode[];
  /** The relays, for nodes to use (empty with `discoverRelays`: nodes find them in the DHT). */
  relays: TestnetRelay[];
  /** The relay programs themselves (tests stop and restart them, and ask what they observed). */
  relayServers: RelayServer[];
  /** The attestor, when asked for. */
  attestor?: TestnetAttestor;
  /** Options for a relay a test starts beside the testnet: its circuits may lead to the testnet's relays. */
  hops: Pick<RelayServerOptions, 'relays' | 'allowPrivateHops'>;
  stop(): Promise<void>;
}

/**
 * A closed network on loopback: N DHT nodes, each on its own 127.0.0.x, that send nothing off
 * loopback (`loopbackOnly`). Nodes start one after another, each bootstrapping from the first, so
 * by the end every node has met every other (the bootstrap lookup of a node reaches all earlier ones).
 * While it runs, the nodes sweep departed peers out of their routing tables (see `Sweeper`).
 */
export async function startTestnet(opts: TestnetOptions): Promise<Testnet> {
  const n = opts.dhtNodes;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TESTNET_NODES) throw TestnetError.BAD_SIZE('DHT nodes', MAX_TESTNET_NODES);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const nodes: DhtNode[] = [];
  const relayServers: RelayServer[] = [];
  const extras: Array<{ stop(): Promise<void> }> = [];
  let sweeper: Sweeper | null = null;
  const stop = async () => {
    sweeper?.stop();
    for (const e of extras) await e.stop();
    await Promise.all(relayServers.map((r) => r.stop()));
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    let bootstrap: string[] = [];
    for (let i = 0; i < n; i++) {
      const port = opts.basePort === undefined ? 0 : opts.basePort + i;
      const node = new DhtNode({ bootstrap, host: loopbackAddress(i), port, logger, loopbackOnly: true, queryTimeoutMs: QUERY_TIMEOUT_MS });
      nodes.push(node);
      await node.start();
      if (i === 0) bootstrap = [formatHostPort(node.address())];
    }
    await connected(nodes, opts.connectTimeoutMs ?? 5_000);
    sweeper = new Sweeper(nodes, opts.sweepMs ?? 1_000);
    const hostOf = opts.discoverRelays ? ownSubnetRelayAddress : relayAddress;
    const started = await startRelays(opts.relays ?? 0, relayServers, bootstrap, extras, hostOf, !!opts.discoverRelays, opts.relayLimits);
    const relays = opts.discoverRelays ? [] : started;
    const attestor = opts.attestor ? await startAttestor(typeof opts.attestor === 'object' ? opts.attestor : {}) : undefined;
    if (attestor) extras.unshift(attestor);
    const hops = { relays: configuredRelays(started), allowPrivateHops: true };
    return { bootstrap, nodes, relays, relayServers, ...(attestor ? { attestor } : {}), hops, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Loopback answers in microseconds; a testnet node gives up on a silent peer after this long. */
const QUERY_TIMEOUT_MS = 500;

/**
 * Clients come and go on a testnet (every test starts some); without sweeping, the testnet nodes
 * would keep handing out departed ones, and each would cost a later lookup a query timeout.
 */
class Sweeper {
  readonly #timer: NodeJS.Timeout;
  #busy = false;
  constructor(nodes: DhtNode[], everyMs: number) {
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      void Promise.allSettled(nodes.map((n) => n.sweep())).finally(() => (this.#busy = false));
    }, everyMs).unref();
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Resolves once every node knows all others (or, in big networks, a full bucket's worth). */
async function connected(nodes: DhtNode[], timeoutMs: number): Promise<void> {
  const want = Math.min(nodes.length - 1, 8);
  const deadline = Date.now() + timeoutMs;
  while (nodes.some((node) => node.nodeCount() < want)) {
    if (Date.now() > deadline) throw TestnetError.NOT_CONNECTED(timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Starts relays, each publishing its descriptor in the testnet's DHT (salt `parley/relay/1`) and,
 * when nodes are to find them (`discoverRelays`), announcing itself on the well-known relay infohash.
 */
async function startRelays(
  count: number,
  servers: RelayServer[],
  bootstrap: string[],
  extras: Array<{ stop(): Promise<void> }>,
  hostOf: (i: number) => string,
  announce: boolean,
  limits?: Partial<RelayLimits>,
): Promise<TestnetRelay[]> {
  const out: TestnetRelay[] = [];
  for (let i = 0; i < count; i++) {
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise();
    const dht = new DhtNode({ bootstrap, host: hostOf(i), loopbackOnly: true, queryTimeoutMs: QUERY_TIMEOUT_MS });
    extras.push(dht);
    await dht.start();
    // Circuits lead to relays the DHT holds a descriptor for; on loopback, which only a testnet allows.
    const peerRelayHosts = Array.from({ length: count }, (_, k) => hostOf(k)).filter((h) => h !== hostOf(i));
    const server = new RelayServer({
      host: hostOf(i),
      keyPair,
      relays: dhtRelays(dht),
      allowPrivateHops: true,
      peerRelayHosts,
      dht,
      ...(limits ? { limits } : {}),
    });
    servers.push(server);
    await server.start();
    const publisher = descriptorPublisher(dht, keyPair, () => server.descriptor());
    extras.unshift(publisher);
    await publisher.start();
    if (announce) {
      const announcer = new RelayAnnouncer({ dht, port: () => server.address().port, logger: silentLogger });
      extras.unshift(announcer);
      await announcer.start();
    }
    const { host, port } = server.address();
    out.push({ host, port, publicKey: server.publicKey.toString('base64') });
  }
  return out;
}

/** Relays live in 127.0.2.x so tests can tell them from DHT nodes (127.0.0.x) and people. */
export function relayAddress(i: number): string {
  return `127.0.2.${10 + i}`;
}

/** With `discoverRelays`, relay i sits alone in 127.(20+i).0.0/16, as relays on the internet sit in distinct networks. */
export function ownSubnetRelayAddress(i: number): string {
  return `127.${20 + i}.0.10`;
}
