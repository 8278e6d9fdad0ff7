/**
 * A Parley node in its own process for `bench/daemon.ts` (what `parley run` runs, minus the CLI).
 * argv: home, bootstrap host:port, relay JSON. Prints {"online": true} once started; answers lines:
 *   rss        → {"rss": bytes}  (after a GC)
 *   fill N     → {"ms": …}: N messages stored through the store's insertMessage (the receiver's path)
 *   stop       → stops the node and exits
 * Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { ParleyNode } from '../src/node/index.js';
import { Identity } from '../src/identity/index.js';
import { insertMessage, upsertContact, writeTx } from '../src/store/index.js';
import { messageBody } from './corpus.js';

const [home, bootstrap, relay] = process.argv.slice(2);
const node = new ParleyNode({ home: home!, bootstrap: [bootstrap!], host: '127.0.0.90', relays: [JSON.parse(relay!)] });
await node.start();
const reply = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
reply({ online: true });

let filled = 0;
const contacts = Array.from({ length: 20 }, () => Identity.generate().id);
function fill(n: number): number {
  const t0 = process.hrtime.bigint();
  for (const id of contacts) upsertContact(node.db, id, 'added', Date.now());
  for (let done = 0; done < n; done += 1000) {
    writeTx(node.db, () => {
      for (let i = done; i < Math.min(n, done + 1000); i++) {
        const k = filled++;
        insertMessage(node.db, {
          id: `bench-${k}`,
          contactId: contacts[k % contacts.length]!,
          direction: k % 2 ? 'in' : 'out',
          convSeq: k,
          body: messageBody(k),
          sentAt: Date.now(),
          receivedAt: Date.now(),
          state: k % 2 ? 'received' : 'delivered',
          route: null,
        });
      }
    });
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'rss') {
    globalThis.gc?.();
    reply({ rss: process.memoryUsage().rss });
  }
  if (cmd === 'fill') reply({ ms: fill(Number(arg)) });
  if (cmd === 'stop') void node.stop().then(() => process.exit(0));
});
lines.on('close', () => process.exit(0));
