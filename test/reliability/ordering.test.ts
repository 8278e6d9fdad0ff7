import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { capturingLogger } from '../helpers/log-capture.js';

/*
 * Per-conversation order when the receiver fails to store one message but not the next (found by
 * the disk-full test: SQLite may still find room for a later insert after an earlier one failed).
 * The failure is injected here with a real SQLite trigger on the receiver's own connection, so the
 * test is deterministic. The conversation view (history, arrival order) must still show the
 * sender's messages in the order they were sent.
 */

describe('a message the receiver could not store', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  for (const setting of ['direct', 'relayed'] as const) {
    it(`does not let the next one overtake it (${setting})`, async () => {
      const { logger, lines } = capturingLogger();
      const [alice, bob] = await w.pair(`alice-${setting}`, `bob-${setting}`, {
        a: { relays: [w.net.relays[0]!] },
        b: { relays: [w.net.relays[1]!], logger },
        visibility: setting,
      });
      alice.send(bob.id, 'first');
      await delivered(alice, bob.id, 1);

      // Bob's storage refuses one message, as a full or failing disk would.
      let refused = 0;
      bob.db.function('refused', () => ++refused);
      bob.db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'second'
                   BEGIN SELECT refused(); SELECT RAISE(ABORT, 'disk I/O error'); END`);
      alice.send(bob.id, 'second');
      alice.send(bob.id, 'third');
      // The scenario, seen from Bob: 'second' refused by his storage, and 'third' arrived and held back.
      await until(() => refused > 0, "Bob's storage to refuse 'second'");
      await until(() => lines.some((l) => l.includes('held back a message that arrived before an earlier one')), "Bob to hold back 'third'");
      bob.db.exec('DROP TRIGGER refuse');

      await received(bob, alice.id, 3);
      await delivered(alice, bob.id, 3);
      const shown = bob.history(alice.id).filter((m) => m.direction === 'in');
      expect(shown.map((m) => m.body)).toEqual(['first', 'second', 'third']);
      expect(shown.map((m) => m.conv_seq)).toEqual([1, 2, 3]);
    });
  }
});
