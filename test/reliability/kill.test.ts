import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { world, received, delivered } from '../helpers/people.js';
import { Identity, saveIdentity, randomBytes } from '../../src/identity/index.js';
import { addContact, queueMessage } from '../../src/node/index.js';
import { history, listOutbox } from '../../src/store/index.js';
import { startParley, withDb, type Child } from './processes.js';
import { until } from '../helpers/until.js';
import { budget, scale, watchProcess } from './soak.js';

/*
 * kill -9 of a sending node and of a relay, each a real separate process. Nothing that was written
 * to the outbox may be lost (SQLite WAL with synchronous=FULL), nothing may arrive twice, and the
 * conversation view stays in sending order.
 */

const MESSAGES = scale(80, 600);

describe('kill -9', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it(
    'of the sender mid-stream: the outbox survives in SQLite and the restarted sender delivers everything once, in order',
    async () => {
      const bob = await w.start('bob', { relays: [w.net.relays[1]!] });
      const aliceHome = join(w.root, 'alice');
      const alice = Identity.generate();
      saveIdentity(aliceHome, alice);
      withDb(aliceHome, (db) => addContact(db, alice.id, bob.id, Date.now()));
      bob.addContact(alice.id);
      const relay = w.net.relays[0]!;
      const args = [
        'run',
        '--no-ui',
        '--home',
        aliceHome,
        '--host',
        '127.0.0.45',
        '--bootstrap',
        ...w.net.bootstrap,
        '--relay',
        `${relay.host}:${relay.port}:${relay.publicKey}`,
        // A second relay known, for the DHT exit: with one alone the lookups would wait for one.
        '--relay',
        `${w.net.relays[1]!.host}:${w.net.relays[1]!.port}:${w.net.relays[1]!.publicKey}`,
      ];

      let sender: Child = await startParley(args, /is running/);
      const texts = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);
      // Written the way `parley send` hands work to a running node: straight into its outbox.
      const half = texts.slice(0, MESSAGES / 2);
      withDb(aliceHome, (db) => half.forEach((t) => queueMessage(db, alice.id, bob.id, t, Date.now())));
      await until(() => bob.history(alice.id, 100_000).length >= 5, 'the first messages to reach Bob', 30_000);
      await sender.kill9();
      const atKill = bob.history(alice.id, 100_000).length;
      console.log(`sender killed after ${atKill} of ${half.length} messages had reached Bob`);

      // The database the killed process was writing: intact, every message still there, each either
      // confirmed by Bob or still waiting in the outbox.
      withDb(aliceHome, (db) => {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const out = history(db, bob.id, 100_000);
        expect(out.map((m) => m.body)).toEqual(half);
        const waiting = new Set(listOutbox(db).map((o) => o.message_id));
        for (const m of out) expect(m.state === 'delivered' ? !waiting.has(m.id) : waiting.has(m.id)).toBe(true);
        // More messages while no node runs: they wait in the outbox too.
        texts.slice(MESSAGES / 2).forEach((t) => queueMessage(db, alice.id, bob.id, t, Date.now()));
      });

      sender = await startParley(args, /is running/);
      try {
        const got = await received(bob, alice.id, MESSAGES, budget(60_000, 300_000));
        await until(() => withDb(aliceHome, (db) => listOutbox(db).length) === 0, "Alice's outbox to empty", budget(60_000, 300_000));
        expect(got.map((m) => m.body)).toEqual(texts);
        expect(withDb(aliceHome, (db) => history(db, bob.id, 100_000).every((m) => m.state === 'delivered'))).toBe(true);
      } finally {
        await sender.stop();
      }
    },
    budget(150_000, 900_000),
  );

  it(
    'of a relay mid-conversation: messages wait, then flow once it is back; nothing lost, nothing twice',
    async () => {
      const watch = watchProcess();
      const seed = randomBytes(32).toString('hex');
      const relayArgs = (port: number) => ['relay', '--host', '127.0.2.80', '--port', String(port), '--bootstrap', ...w.net.bootstrap, '--allow-private-hops'];
      let relayProc = await startParley(relayArgs(0), /\}\n/, { PARLEY_RELAY_SEED: seed });
      const descriptor = JSON.parse(relayProc.output().trim().split('\n').at(-1)!) as { host: string; port: number; publicKey: string };
      const mine = { host: descriptor.host, port: descriptor.port, publicKey: descriptor.publicKey };
      try {
        const [carol, dave] = await w.pair('carol', 'dave', { a: { relays: [mine] }, b: { relays: [w.net.relays[1]!] } });
        const fromCarol: string[] = [];
        const fromDave: string[] = [];
        const say = (n: number, tag: string) => {
          for (let i = 0; i < n; i++) {
            fromCarol.push(`c-${tag}-${i}`);
            carol.send(dave.id, `c-${tag}-${i}`);
            fromDave.push(`d-${tag}-${i}`);
            dave.send(carol.id, `d-${tag}-${i}`);
          }
        };
        say(10, 'before');
        await until(() => dave.history(carol.id).filter((m) => m.direction === 'in').length >= 3, 'the first messages through the relay');
        await relayProc.kill9();
        say(10, 'during');
        // Carol's relay is gone: her messages wait, saying why; they never leave another way.
        await until(() => carol.outbox().some((o) => /relay/.test(o.last_error ?? '')), "Carol's outbox to say her relay is unreachable");

        relayProc = await startParley(relayArgs(descriptor.port), /\}\n/, { PARLEY_RELAY_SEED: seed });
        say(5, 'after');
        const atDave = await received(dave, carol.id, fromCarol.length, budget(60_000, 300_000));
        const atCarol = await received(carol, dave.id, fromDave.length, budget(60_000, 300_000));
        await delivered(carol, dave.id, fromCarol.length);
        await delivered(dave, carol.id, fromDave.length);
        expect(atDave.map((m) => m.body)).toEqual(fromCarol);
        expect(atCarol.map((m) => m.body)).toEqual(fromDave);
        expect(watch.problems).toEqual([]);
      } finally {
        watch.stop();
        await relayProc.stop();
      }
    },
    budget(150_000, 900_000),
  );
});
