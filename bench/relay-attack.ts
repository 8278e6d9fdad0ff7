/**
 * Section `relay-attack`: a victim's round trip through a relay with its default limits (`parley
 * relay`, in its own process), without an attack (baseline) and while one address attacks it from
 * a third process: it fills the store as fast as the relay lets it and holds 2,000 idle sockets,
 * reopening each one the relay closes. One round is what a node does with its relay from two fresh
 * connections: register a mailbox, upload a prekey bundle, the other side fetches it and sends a
 * message, which arrives live and is acknowledged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { attackInChild, victimRound, type Target } from '../test/relay/attackers.js';
import { progress, type BenchContext, type SectionBody } from './section.js';
import { summarize } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ATTACK_ROUNDS ?? 30);
const IDLE_SOCKETS = 2000;
const FILLERS = 16;
const RELAY = '127.0.9.1';
const ATTACKER = '127.0.9.66';
const ALICE = '127.0.9.11';
const BOB = '127.0.9.12';

async function startRelay(): Promise<{ proc: ChildProcess; target: Target }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/relay/main.ts', '--host', RELAY], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`the relay exited (${code})`)));
  });
  const d = JSON.parse(line) as { host: string; port: number; publicKey: string };
  return { proc, target: { host: d.host, port: d.port, publicKey: Buffer.from(d.publicKey, 'base64') } };
}

async function rounds(target: Target, label: string): Promise<{ times: number[]; failed: Record<string, number> }> {
  progress(`relay-attack: ${ROUNDS} victim rounds, ${label}`);
  const times: number[] = [];
  const failed: Record<string, number> = {};
  for (let i = 0; i < ROUNDS; i++) {
    try {
      times.push(await victimRound(target, ALICE, BOB));
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERROR';
      failed[code] = (failed[code] ?? 0) + 1;
    }
  }
  return { times, failed };
}

export async function relayAttackSection(_ctx: BenchContext): Promise<SectionBody> {
  const { proc, target } = await startRelay();
  try {
    const calm = await rounds(target, 'no attack');
    progress(`relay-attack: attacker fills the store with ${FILLERS} connections, then opens ${IDLE_SOCKETS} idle sockets`);
    const t0 = Date.now();
    const attacker = await attackInChild(target, ATTACKER, { storage: FILLERS, idle: IDLE_SOCKETS }, 120_000);
    const swing = (Date.now() - t0) / 1000;
    const attacked = await rounds(target, 'under attack');
    const refused = await attacker.stop();
    const row = (label: string, r: typeof calm) => {
      if (!r.times.length) return { victim: label, rounds: ROUNDS, ok: 0, 'median ms': '—', 'p99 ms': '—', 'max ms': '—', failed: JSON.stringify(r.failed) };
      const s = summarize(r.times);
      return {
        victim: label,
        rounds: ROUNDS,
        ok: r.times.length,
        'median ms': s.median,
        'p99 ms': s.p99,
        'max ms': Math.max(...r.times),
        failed: JSON.stringify(r.failed),
      };
    };
    return {
      title: "Relay under attack from one address: a victim's round trip",
      rows: [row('no attack (baseline)', calm), row(`under attack (${FILLERS} fillers + ${IDLE_SOCKETS} idle sockets)`, attacked)],
      notes: [
        'The relay runs as `parley relay` with its default limits, in its own process; the attacker in another (127.0.9.66); the victim in the bench process (127.0.9.11 and .12). Two cores are shared by all three.',
        `The attack was in full swing ${swing.toFixed(1)} s after it began: the relay had refused it room for a 1-byte item, a blob and a mailbox, and every idle socket had been accepted or turned away once. It was refused: ${JSON.stringify(refused)}.`,
        'A round = two fresh Noise connections; register a mailbox, upload a 4 KiB bundle, fetch it from the other side, send 300 B, receive it live, acknowledge.',
      ],
    };
  } finally {
    proc.kill();
  }
}
