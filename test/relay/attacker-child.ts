/**
 * An attacker in its own process (as a real one would be: the relay's process does not run its
 * loop). Argument: one JSON object {target: {host, port, publicKey (base64)}, from, storage
 * (connections filling the store, 0: none), idle (idle sockets, 0: none), reconnectMs}. Fills the
 * store first, then opens the idle sockets; prints {"ready": false|true, "refused": {...}} every
 * 250 ms, and at once when the attack is in full swing. Stops and exits when stdin closes, so a test that dies never leaves it running.
 */
import { fillStorage, idleSockets, type Attack } from './attackers.js';

interface Plan {
  target: { host: string; port: number; publicKey: string };
  from: string;
  storage: number;
  idle: number;
  reconnectMs: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const target = { ...plan.target, publicKey: Buffer.from(plan.target.publicKey, 'base64') };
const attacks: Attack[] = [];
let stopping = false;
const refused = () => Object.assign({}, ...attacks.map((a) => a.refused)) as Record<string, number>;

process.stdin.resume();
process.stdin.once('end', () => {
  stopping = true;
  const bye = () => process.exit(0);
  void Promise.all(attacks.map((a) => a.stop())).then(bye, bye);
  setTimeout(bye, 2000).unref();
});

let swinging = false;
const report = () => process.stdout.write(JSON.stringify({ ready: swinging, refused: refused() }) + '\n');
setInterval(report, 250);

if (plan.storage > 0) {
  attacks.push(fillStorage(target, plan.from, plan.storage));
  await attacks.at(-1)!.ready;
}
if (plan.idle > 0 && !stopping) {
  attacks.push(idleSockets(target, plan.from, plan.idle, plan.reconnectMs));
  await attacks.at(-1)!.ready;
}
swinging = true;
if (!stopping) report();
