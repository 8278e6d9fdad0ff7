import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world } from '../helpers/people.js';
import type { ParleyNode } from '../../src/node/index.js';
import { until } from '../helpers/until.js';
import { budget, scale, watchProcess } from './soak.js';

/*
 * Load: many people chatting pairwise at once through three relays (relayed, the default, so most
 * pairs go my relay → circuit → their relay). Every message arrives once, in order; afterwards the
 * relays hold nothing but each person's mailbox and prekey blob: stored mail goes back to zero once
 * acknowledged, so relay memory does not grow with traffic.
 */

const PEOPLE = scale(50, 100);
const MESSAGES = scale(10, 50);
const ROUNDS = scale(1, 3);

describe('load: people chatting pairwise through three relays', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(8, 3);
  });
  afterAll(async () => {
    await w.close();
  });

  it(
    `${PEOPLE} people, ${PEOPLE / 2} pairs, ${MESSAGES} messages each way per round, ${ROUNDS} rounds`,
    async () => {
      const watch = watchProcess();
      try {
        const started = Date.now();
        const people: ParleyNode[] = [];
        for (let i = 0; i < PEOPLE; i += 10) {
          const batch = Array.from({ length: Math.min(10, PEOPLE - i) }, (_, j) => i + j);
          people.push(
            ...(await Promise.all(
              batch.map((k) =>
                w.start(`p${k}`, {
                  host: `127.0.${4 + Math.floor(k / 250)}.${2 + (k % 250)}`,
                  relays: [w.net.relays[k % 3]!],
                }),
              ),
            )),
          );
        }
        const pairs: Array<[ParleyNode, ParleyNode]> = [];
        for (let i = 0; i < PEOPLE; i += 2) pairs.push([people[i]!, people[i + 1]!]);
        for (const [a, b] of pairs) {
          a.addContact(b.id);
          b.addContact(a.id);
        }
        const upAt = Date.now();
        const relays = w.net.relayServers;
        const sent = new Map<ParleyNode, string[]>(people.map((p) => [p, []]));
        const peerOf = new Map<ParleyNode, ParleyNode>(
          pairs.flatMap(([a, b]) => [
            [a, b],
            [b, a],
          ]),
        );
        const stored = () => relays.reduce((n, r) => n + r.metrics().stored.items, 0);

        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < MESSAGES; i++) {
            for (const p of people) {
              const text = `r${round} ${i} from ${p.home.slice(-4)}`;
              p.send(peerOf.get(p)!.id, text);
              sent.get(p)!.push(text);
            }
          }
          await until(() => people.every((p) => p.outbox().length === 0), `round ${round}: every outbox to drain`, budget(120_000, 1_800_000));
          for (const p of people) {
            const peer = peerOf.get(p)!;
            const got = p.history(peer.id, 100_000).filter((m) => m.direction === 'in');
            expect(got.map((m) => m.body)).toEqual(sent.get(peer));
          }
          // Every item acknowledged: the relays hold no mail, only mailboxes and one prekey blob per person.
          await until(
            () => stored() === 0,
            () => `round ${round}: relays to hold no mail (still ${stored()})`,
          );
          const totals = relays.map((r) => r.metrics().stored);
          expect(totals.reduce((n, s) => n + s.bytes, 0)).toBe(0);
          expect(totals.reduce((n, s) => n + s.blobs, 0)).toBe(PEOPLE);
          expect(totals.reduce((n, s) => n + s.mailboxes, 0)).toBe(PEOPLE);
        }
        const m = relays.map((r) => r.metrics());
        console.log(
          `load: ${PEOPLE} people up in ${upAt - started} ms; ${ROUNDS * MESSAGES * PEOPLE} messages delivered in ${Date.now() - upAt} ms; ` +
            `relay connections ${m.map((x) => x.connections.open).join('/')}, circuits ${m.map((x) => x.circuits.open).join('/')}, drops ${JSON.stringify(m.map((x) => x.drops))}`,
        );
        // Connections and circuits stay bounded by the number of people, not the number of messages.
        // Each person keeps up to three circuits through their relay: to their mailbox's home relay,
        // to their DHT exit for publishing (issue 13 §2, §4), and to their contact's relay.
        for (const x of m) {
          expect(x.connections.open).toBeLessThanOrEqual(2 * PEOPLE);
          expect(x.circuits.open).toBeLessThanOrEqual(3 * PEOPLE);
        }
        expect(watch.problems).toEqual([]);
      } finally {
        watch.stop();
      }
    },
    budget(240_000, 3_600_000),
  );
});
