import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { world } from '../helpers/people.js';
import { RelayServer, type RelayDirectory } from '../../src/relay/index.js';
import { DhtNode } from '../../src/dht/index.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import type { ParleyNode } from '../../src/node/index.js';
import type { Visibility } from '../../src/store/index.js';
import type { KeyPair } from '../../src/transport/index.js';
import { until } from '../helpers/until.js';
import { budget, fcParams, scale, sleep, watchProcess } from './soak.js';

/*
 * Model-based test of delivery over real nodes, real relays and the real DHT: fast-check draws a
 * schedule of sends both ways, node restarts (in place, or from a new address), people going offline
 * and coming back, a person switching what the other may see (so the route changes), relay restarts
 * (which drop every relay connection and wipe the relay's memory) and relays down for a while.
 * Whatever the schedule, once everyone is back every message is delivered exactly once, and each
 * person's conversation view (history, which is arrival order) shows the other's messages in the
 * order they were sent (the sender's `n`). The check runs after every step as well as at the end.
 */

const RUNS = scale(3, 60);
const MAX_COMMANDS = scale(14, 60);

type Who = 'a' | 'b';
const other = (w: Who): Who => (w === 'a' ? 'b' : 'a');

interface Model {
  online: Record<Who, boolean>;
  relayUp: [boolean, boolean];
  /** Texts sent by each person, in order. */
  sent: Record<Who, string[]>;
}

interface Relay {
  keyPair: KeyPair;
  host: string;
  port: number;
  server: RelayServer | null;
  /** Its DHT node, kept across restarts: each relay is the other's person's DHT exit (issue 13 §5). */
  dht: DhtNode | null;
}

interface Real {
  nodes: Record<Who, ParleyNode | null>;
  ids: Record<Who, string>;
  /** Starts `who` from their home (from a new address when `moved`). */
  start(who: Who, moved?: boolean): Promise<void>;
  stop(who: Who): Promise<void>;
  relays: Relay[];
  counter: { n: number };
  log: string[];
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** The receiving side's view: incoming texts in display order, with their `n`. */
function inbox(node: ParleyNode, from: string) {
  return node.history(from, 100_000).filter((m) => m.direction === 'in');
}

/** What `to` shows of `from`'s messages is a subsequence of what `from` sent, in sending order, without repeats. */
function checkView(model: Model, real: Real, to: Who): void {
  const node = real.nodes[to];
  if (!node) return;
  const shown = inbox(node, real.ids[other(to)]!).map((m) => m.body);
  const order = shown.map((body) => model.sent[other(to)].indexOf(body));
  expect(
    order.every((i) => i >= 0),
    `${to} shows a message nobody sent`,
  ).toBe(true);
  for (let i = 1; i < order.length; i++) {
    if (order[i]! <= order[i - 1]!) {
      throw new Error(`${to} shows ${other(to)}'s messages out of order or twice: ${JSON.stringify(shown)}\nschedule: ${real.log.join(', ')}`);
    }
  }
}

class Send implements Cmd {
  constructor(
    readonly from: Who,
    readonly count: number,
  ) {}
  check = (m: Readonly<Model>) => m.online[this.from];
  async run(m: Model, r: Real) {
    const node = r.nodes[this.from]!;
    for (let i = 0; i < this.count; i++) {
      const text = `${this.from}${++r.counter.n}`;
      node.send(r.ids[other(this.from)]!, text);
      m.sent[this.from].push(text);
    }
    r.log.push(this.toString());
    checkView(m, r, 'a');
    checkView(m, r, 'b');
  }
  toString = () => `send(${this.from}×${this.count})`;
}

class Restart implements Cmd {
  constructor(readonly who: Who) {}
  check = (m: Readonly<Model>) => m.online[this.who];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await r.stop(this.who);
    await r.start(this.who);
    checkView(m, r, this.who);
  }
  toString = () => `restart(${this.who})`;
}

/** Starts again from another address (a laptop that moved to another network). */
class Move implements Cmd {
  constructor(readonly who: Who) {}
  check = (m: Readonly<Model>) => m.online[this.who];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await r.stop(this.who);
    await r.start(this.who, true);
    checkView(m, r, this.who);
  }
  toString = () => `move(${this.who})`;
}

/** "Let this contact see my IP address" switched: the route changes between attempts. */
class Toggle implements Cmd {
  constructor(readonly who: Who) {}
  check = (m: Readonly<Model>) => m.online[this.who];
  async run(m: Model, r: Real) {
    const node = r.nodes[this.who]!;
    const peer = r.ids[other(this.who)];
    const now = node.contacts().find((c) => c.id === peer)!.visibility;
    node.setVisibility(peer, now === 'direct' ? 'relayed' : 'direct');
    r.log.push(`${this.toString()}→${now === 'direct' ? 'relayed' : 'direct'}`);
  }
  toString = () => `toggle(${this.who})`;
}

class GoOffline implements Cmd {
  constructor(readonly who: Who) {}
  check = (m: Readonly<Model>) => m.online[this.who];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await r.stop(this.who);
    m.online[this.who] = false;
  }
  toString = () => `offline(${this.who})`;
}

class ComeBack implements Cmd {
  constructor(readonly who: Who) {}
  check = (m: Readonly<Model>) => !m.online[this.who];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await r.start(this.who);
    m.online[this.who] = true;
    checkView(m, r, this.who);
  }
  toString = () => `online(${this.who})`;
}

class RelayDown implements Cmd {
  constructor(readonly i: 0 | 1) {}
  check = (m: Readonly<Model>) => m.relayUp[this.i];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await stopRelay(r.relays[this.i]!);
    m.relayUp[this.i] = false;
  }
  toString = () => `relay${this.i}Down`;
}

class RelayUp implements Cmd {
  constructor(readonly i: 0 | 1) {}
  check = (m: Readonly<Model>) => !m.relayUp[this.i];
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await startRelay(r.relays[this.i]!);
    m.relayUp[this.i] = true;
  }
  toString = () => `relay${this.i}Up`;
}

/** A relay restart: every connection through it drops, everything it held in memory is gone. */
class RelayRestart implements Cmd {
  constructor(readonly i: 0 | 1) {}
  check = (m: Readonly<Model>) => m.relayUp[this.i];
  async run(_m: Model, r: Real) {
    r.log.push(this.toString());
    await stopRelay(r.relays[this.i]!);
    await startRelay(r.relays[this.i]!);
  }
  toString = () => `relay${this.i}Restart`;
}

class Pause implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    r.log.push(this.toString());
    await sleep(this.ms);
    checkView(m, r, 'a');
    checkView(m, r, 'b');
  }
  toString = () => `pause(${this.ms})`;
}

/** Circuits lead from one of the model's relays to the other (named as an operator would). */
const modelRelays: Relay[] = [];
const eachOther: RelayDirectory = {
  isRelayAt: async (host, port, key) => modelRelays.some((r) => r.server && r.host === host && r.port === port && r.keyPair.publicKey.equals(key)),
};

async function startRelay(relay: Relay): Promise<void> {
  const dht = relay.dht ? { dht: relay.dht } : {};
  relay.server = new RelayServer({ host: relay.host, port: relay.port, keyPair: relay.keyPair, relays: eachOther, allowPrivateHops: true, ...dht });
  await relay.server.start();
  relay.port = relay.server.address().port;
}

async function stopRelay(relay: Relay): Promise<void> {
  await relay.server?.stop();
  relay.server = null;
}

const who = fc.constantFrom<Who>('a', 'b');
const relayIndex = fc.constantFrom<0 | 1>(0, 1);
const commands = [
  fc.tuple(who, fc.integer({ min: 1, max: 4 })).map(([w, n]) => new Send(w, n)),
  fc.tuple(who, fc.integer({ min: 1, max: 4 })).map(([w, n]) => new Send(w, n)),
  who.map((w) => new Restart(w)),
  who.map((w) => new Move(w)),
  who.map((w) => new Toggle(w)),
  who.map((w) => new GoOffline(w)),
  who.map((w) => new ComeBack(w)),
  relayIndex.map((i) => new RelayDown(i)),
  relayIndex.map((i) => new RelayUp(i)),
  relayIndex.map((i) => new RelayRestart(i)),
  fc.integer({ min: 50, max: 600 }).map((ms) => new Pause(ms)),
];

const setting = fc.constantFrom<Visibility>('direct', 'relayed');
const config = fc.record({ a: setting, b: setting, relayOfA: relayIndex, relayOfB: relayIndex });

describe('delivery under a random schedule of sends, restarts and relay failures (model-based)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  const relays = modelRelays;
  let run = 0;
  let moves = 0;
  beforeAll(async () => {
    w = await world(6, 0);
    for (const host of ['127.0.2.70', '127.0.2.71']) {
      const dht = new DhtNode({ bootstrap: w.net.bootstrap, host, loopbackOnly: true, queryTimeoutMs: 500 });
      await dht.start();
      const relay: Relay = { keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(), host, port: 0, server: null, dht };
      await startRelay(relay);
      relays.push(relay);
    }
  });
  afterAll(async () => {
    await w.close();
    for (const r of relays) await stopRelay(r);
    for (const r of relays) await r.dht?.stop();
  });

  it(
    'every message arrives exactly once, in sending order, whatever happens in between',
    async () => {
      const watch = watchProcess();
      try {
        await fc.assert(
          fc.asyncProperty(config, fc.commands(commands, { maxCommands: MAX_COMMANDS }), async (cfg, cmds) => {
            run++;
            for (const r of relays) if (!r.server) await startRelay(r);
            const names: Record<Who, string> = { a: `alice${run}`, b: `bob${run}` };
            const hosts: Record<Who, string> = { a: `127.0.3.${2 * run}`, b: `127.0.3.${2 * run + 1}` };
            const relayOf = { a: cfg.relayOfA, b: cfg.relayOfB };
            const real: Real = {
              nodes: { a: null, b: null },
              ids: { a: '', b: '' },
              relays,
              counter: { n: 0 },
              log: [`config ${JSON.stringify(cfg)}`],
              async start(p, moved) {
                if (moved) hosts[p] = `127.0.${5 + Math.floor(++moves / 250)}.${2 + (moves % 250)}`;
                const address = (r: Relay) => ({ host: r.host, port: r.port, publicKey: r.keyPair.publicKey.toString('base64') });
                const node = await w.start(names[p], {
                  host: hosts[p],
                  relays: [address(relays[relayOf[p]]!)],
                  exitRelays: [address(relays[1 - relayOf[p]]!)], // one relay alone: DHT lookups would wait for a second
                });
                real.nodes[p] = node;
                real.ids[p] = node.id;
              },
              async stop(p) {
                const node = real.nodes[p];
                real.nodes[p] = null;
                if (node) await w.stop(node);
              },
            };
            await real.start('a');
            await real.start('b');
            real.nodes.a!.addContact(real.ids.b);
            real.nodes.b!.addContact(real.ids.a);
            real.nodes.a!.setVisibility(real.ids.b, cfg.a);
            real.nodes.b!.setVisibility(real.ids.a, cfg.b);
            const model: Model = { online: { a: true, b: true }, relayUp: [true, true], sent: { a: [], b: [] } };
            try {
              await check(model, real, cmds);
            } catch (err) {
              // Printed at once: a long soak reports its failures only at the very end.
              console.error(`model run ${run} failed: ${(err as Error).message}\nschedule: ${real.log.join(', ')}`);
              throw err;
            } finally {
              await real.stop('a');
              await real.stop('b');
            }
          }),
          { ...fcParams(RUNS), endOnFailure: true, verbose: 1 },
        );
        expect(watch.problems).toEqual([]);
      } finally {
        watch.stop();
      }
    },
    budget(300_000, 6 * 3_600_000),
  );

  /** Runs the schedule, brings everyone back, and checks what each person shows. */
  async function check(model: Model, real: Real, cmds: Iterable<Cmd>): Promise<void> {
    await fc.asyncModelRun(() => ({ model, real }), cmds);
    // Everyone back: every message must now arrive, exactly once, in order.
    for (const r of relays) if (!r.server) await startRelay(r);
    for (const p of ['a', 'b'] as const) if (!real.nodes[p]) await real.start(p);
    for (const p of ['a', 'b'] as const) {
      const node = real.nodes[p]!;
      const left = () => `${p}'s outbox to drain (${node.outbox().length} left; ${node.outbox()[0]?.last_error ?? 'no error'})`;
      await until(() => node.outbox().length === 0, left, budget(60_000, 180_000));
    }
    for (const p of ['a', 'b'] as const) {
      const got = inbox(real.nodes[p]!, real.ids[other(p)]);
      expect(
        got.map((m) => m.body),
        `what ${p} shows`,
      ).toEqual(model.sent[other(p)]);
      expect(got.map((m) => m.conv_seq)).toEqual(got.map((_, i) => i + 1));
      const out = real.nodes[other(p)]!.history(real.ids[p], 100_000).filter((m) => m.direction === 'out');
      expect(out.every((m) => m.state === 'delivered')).toBe(true);
    }
  }
});
