import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A program that answers in JSON lines: `next()` is its next line, `ask(line)` writes one and reads the answer. */
export interface LineChild {
  proc: ChildProcess;
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<T>;
  ask<T = Record<string, unknown>>(line: string): Promise<T>;
  stop(): Promise<void>;
}

/** Runs `command` in network namespace `netns` (`ip netns exec`), reading its stdout as JSON lines. */
export function lineChild(netns: string, command: string, args: string[]): LineChild {
  const proc = spawn('ip', ['netns', 'exec', netns, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-2_000);
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
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  rl.once('close', () => {
    gone = true;
    while (waiters.length) waiters.shift()!();
  });
  const next = async <T>(timeoutMs = 60_000): Promise<T> => {
    if (lines.length === 0 && !gone) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${args.join(' ').slice(0, 80)} said nothing in time: ${err}`)), timeoutMs);
        waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    const l = lines.shift();
    if (l === undefined) throw new Error(`${args.join(' ').slice(0, 80)} exited: ${err}`);
    return JSON.parse(l) as T;
  };
  return {
    proc,
    next,
    ask: <T>(line: string) => {
      proc.stdin.write(line + '\n');
      return next<T>();
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
