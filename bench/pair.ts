/**
 * The two people of a bench: Alice and Bob, each a real ParleyNode with a new identity in its own
 * home under `root`, on its own 127.0.0.x, contacts of each other with the settings asked for, and
 * warmed up by a message each way (sessions, reach and route settled before anything is timed).
 * Alice always runs in this process; Bob too, or (`apart`) in a process of his own, as two people
 * on two machines would (bench/person-child.ts), so each end has its own event loop and core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Identity, saveIdentity } from '../src/identity/index.js';
import { ParleyNode, type NodeOptions } from '../src/node/index.js';
import type { Testnet } from '../src/testnet/index.js';

export type Vis = 'direct' | 'relayed';

export interface PairOptions {
  /** What Alice sets for Bob, and Bob for Alice. */
  sets: [Vis, Vis];
  /** Each on a relay of the testnet (Alice the first, Bob the second); without, reachable by strangers instead. */
  relays?: boolean;
  retry?: NodeOptions['retry'];
  files?: NodeOptions['files'];
  /** Bob in a process of his own. */
  apart?: boolean;
}

/** What a bench does with Bob, wherever he runs: events 'message' and 'file' (FileView's id and state). */
export interface Person extends EventEmitter {
  readonly id: string;
  /** CPU time his process used so far (µs); Bob's own only when apart. */
  cpu(): Promise<{ user: number; system: number }>;
}

export interface Pair {
  alice: ParleyNode;
  bob: Person;
  stop: () => Promise<void>;
}

let people = 0;

export async function benchPair(root: string, net: Testnet, o: PairOptions): Promise<Pair> {
  const relays = o.relays ?? true;
  const optionsOf = (relay: number): NodeOptions => {
    const home = join(root, `p${++people}`);
    saveIdentity(home, Identity.generate());
    return {
      home,
      bootstrap: net.bootstrap,
      host: `127.0.0.${120 + (people % 100)}`,
      // With relays: the other one is the home of the mailbox and the DHT exit (one alone makes DHT lookups wait, issue 13 §5).
      ...(relays ? { relays: [net.relays[relay]!], exitRelays: net.relays.filter((_, j) => j !== relay) } : { reachableByStrangers: true }),
      retry: o.retry ?? { baseMs: 500, maxMs: 2_000 },
      ...(o.files ? { files: o.files } : {}),
    };
  };
  const alice = new ParleyNode(optionsOf(0));
  await alice.start();
  let bob: Person & { add: (id: string, sets: Vis) => void; send: (to: string, text: string) => void; stop: () => Promise<void> };
  try {
    bob = o.apart ? await RemotePerson.start(optionsOf(1)) : await LocalPerson.start(optionsOf(1));
  } catch (err) {
    await alice.stop();
    throw err;
  }
  const stop = async () => {
    await alice.stop();
    await bob.stop();
  };
  try {
    alice.addContact(bob.id);
    alice.setVisibility(bob.id, o.sets[0]);
    bob.add(alice.id, o.sets[1]);
    // A message each way: sessions both ways, and a `direct` Bob has given Alice his reach.
    const warm = Promise.all([new Promise((r) => bob.once('message', r)), new Promise((r) => alice.once('message', r))]);
    alice.send(bob.id, 'hi');
    bob.send(alice.id, 'hi');
    await warm;
    return { alice, bob, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Bob in this process: the node's own events. */
class LocalPerson extends EventEmitter implements Person {
  private constructor(private readonly node: ParleyNode) {
    super();
    node.on('message', (m) => this.emit('message', m));
    node.on('file', (v) => this.emit('file', v));
  }

  static async start(opts: NodeOptions): Promise<LocalPerson> {
    const node = new ParleyNode(opts);
    await node.start();
    return new LocalPerson(node);
  }

  get id(): string {
    return this.node.id;
  }

  add(id: string, sets: Vis): void {
    this.node.addContact(id);
    this.node.setVisibility(id, sets);
  }

  send(to: string, text: string): void {
    this.node.send(to, text);
  }

  cpu(): Promise<{ user: number; system: number }> {
    return Promise.resolve(process.cpuUsage());
  }

  stop(): Promise<void> {
    return this.node.stop();
  }
}

type FromChild = { t: 'up'; id: string } | { t: 'message' } | { t: 'file'; id: string; state: string } | { t: 'cpu'; user: number; system: number };

/** Bob in bench/person-child.ts, driven over IPC. */
class RemotePerson extends EventEmitter implements Person {
  private constructor(
    private readonly proc: ChildProcess,
    readonly id: string,
  ) {
    super();
    proc.on('message', (m: FromChild) => {
      if (m.t === 'message') this.emit('message');
      if (m.t === 'file') this.emit('file', { id: m.id, state: m.state });
      if (m.t === 'cpu') this.emit('cpu', { user: m.user, system: m.system });
    });
  }

  static start(opts: NodeOptions): Promise<RemotePerson> {
    const proc = fork(childScript(), [JSON.stringify(opts)], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`the bench person exited (${code}) before it started`)));
      proc.once('message', (m: FromChild) => (m.t === 'up' ? resolve(new RemotePerson(proc, m.id)) : reject(new Error('unexpected first message'))));
    });
  }

  add(id: string, sets: Vis): void {
    this.proc.send({ t: 'add', id, sets });
  }

  send(to: string, text: string): void {
    this.proc.send({ t: 'send', to, text });
  }

  cpu(): Promise<{ user: number; system: number }> {
    const answer = new Promise<{ user: number; system: number }>((r) => this.once('cpu', r));
    this.proc.send({ t: 'cpu' });
    return answer;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ t: 'stop' });
    await exited;
  }
}

export function childScript(): string {
  return fileURLToPath(new URL('./person-child.ts', import.meta.url));
}
