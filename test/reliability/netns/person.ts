// One person of nat-node.test.ts (and bench/nat.ts): a real ParleyNode run inside their network
// namespace. `person.ts <home> <host> <json: {bootstrap, relays}>` prints {id} once it runs; then,
// for each line "stats" on stdin, one line with its hole-punching counters. Stops on SIGTERM.
import { createInterface } from 'node:readline';
import { ParleyNode } from '../../../src/node/index.js';

const [home, host, netJson] = process.argv.slice(2);
if (!home || !host || !netJson) throw new Error('usage: person.ts <home> <host> <json {bootstrap, relays}>');
const net = JSON.parse(netJson) as { bootstrap: string[]; relays: Array<{ host: string; port: number; publicKey: string }> };
const node = new ParleyNode({ home, host, bootstrap: net.bootstrap, relays: net.relays, retry: { baseMs: 500, maxMs: 3_000 } });
await node.start();
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
say({ id: node.id });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') say(node.forTest().punchStats());
});
process.once('SIGTERM', () => void node.stop().then(() => process.exit(0)));
