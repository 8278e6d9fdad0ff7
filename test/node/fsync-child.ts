/**
 * Run under strace by one-fsync.test.ts: two people on a local testnet, both `direct`, a few
 * warm-up round trips (session set-up), then ROUNDS round trips between two marker syscalls
 * (an access() of a path that names them) that the test finds in the trace. With `offline` as the
 * second argument: Bob stops, and the markers hold one send to him until Alice's outbox says it waits.
 */
import { accessSync } from 'node:fs';
import { world } from '../helpers/people.js';
import type { MessageRow } from '../../src/store/index.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const OFFLINE = process.argv[3] === 'offline';
const mark = (what: string) => {
  try {
    accessSync(`/parley-fsync-marker-${what}`);
  } catch {
    // the path never exists: the syscall is the marker
  }
};

// Offline: no relays, so nothing can hold the message for Bob and the attempt fails.
const w = await world(4, OFFLINE ? 0 : 2);
setTimeout(() => {
  process.stdout.write('timed out\n');
  process.exit(1);
}, 90_000).unref();
try {
  const relays = (i: number) => (OFFLINE ? {} : { relays: [w.net.relays[i]!] });
  const [alice, bob] = await w.pair('alice', 'bob', { a: relays(0), b: relays(1), visibility: 'direct' });
  bob.send(alice.id, 'hello'); // a `direct` Bob gives Alice his reach
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      const sent = alice.send(bob.id, 'x'.repeat(200));
      const onDelivered = (m: MessageRow) => {
        if (m.id !== sent.id) return;
        alice.off('delivered', onDelivered);
        resolve();
      };
      alice.on('delivered', onDelivered);
    });
  for (let i = 0; i < 5; i++) await roundTrip();
  if (OFFLINE) {
    await w.stop(bob);
    const waiting = new Promise<void>((resolve) => alice.once('waiting', () => resolve()));
    mark('start');
    alice.send(bob.id, 'are you there?');
    await waiting;
    mark('end');
    process.stdout.write('done offline\n');
  } else {
    mark('start');
    for (let i = 0; i < ROUNDS; i++) await roundTrip();
    mark('end');
    process.stdout.write(`done ${ROUNDS}\n`);
  }
} finally {
  await w.close();
}
process.exit(0);
