import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Side } from './internet.js';

export interface PeerResult {
  ok: boolean;
  /** From the start of the punch to the first authenticated frame (or to the failure). */
  ms: number;
  code?: string;
  message?: string;
  frame?: { n: string };
}

/** Runs punch-peer.ts in both sides' namespaces at once, passing each the other's candidates. */
export async function punchPair(a: Side, b: Side, relays: string[], deadlineMs = 5_000): Promise<[PeerResult, PeerResult]> {
  const peers = (
    [
      [a, 'initiator'],
      [b, 'responder'],
    ] as const
  ).map(([side, role]) => {
    const proc = spawn(
      'ip',
      ['netns', 'exec', side.netns, process.execPath, '--import', 'tsx', 'test/reliability/netns/punch-peer.ts', role, side.host, ...relays],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, PUNCH_DEADLINE_MS: String(deadlineMs) },
      },
    );
    let err = '';
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.PUNCH_DEBUG) process.stderr.write(d);
    });
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    let gone = false;
    const rl = createInterface({ input: proc.stdout });
    rl.on('line', (l) => {
      lines.push(l);
      waiters.shift()?.();
    });
    const exited = new Promise<void>((r) =>
      rl.once('close', () => {
        gone = true;
        r();
        while (waiters.length) waiters.shift()!();
      }),
    );
    const next = async (): Promise<Record<string, unknown>> => {
      if (lines.length === 0 && !gone) await new Promise<void>((r) => waiters.push(r));
      const l = lines.shift();
      if (l === undefined) throw new Error(`punch-peer in ${side.kind} exited early: ${err.slice(-400)}`);
      return JSON.parse(l) as Record<string, unknown>;
    };
    return { proc, next, exited };
  });
  const [ha, hb] = await Promise.all(peers.map((p) => p.next()));
  if (process.env.PUNCH_DEBUG) console.error(JSON.stringify([ha, hb]));
  const punchId = randomBytes(16).toString('hex');
  peers[0]!.proc.stdin.write(JSON.stringify({ theirs: hb!.candidates, theirKey: hb!.publicKey, punchId }) + '\n');
  peers[1]!.proc.stdin.write(JSON.stringify({ theirs: ha!.candidates, theirKey: ha!.publicKey, punchId }) + '\n');
  const results = (await Promise.all(peers.map((p) => p.next()))) as unknown as [PeerResult, PeerResult];
  await Promise.all(peers.map((p) => p.exited));
  return results;
}
