import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { openDb } from '../../src/store/index.js';

/**
 * Parley programs as real child processes (`bin/parley.js ...`), so a test can kill them with
 * SIGKILL: no shutdown code runs, exactly as when the machine loses power or the OOM killer strikes.
 */
export interface Child {
  proc: ChildProcess;
  /** Everything the program printed so far. */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean stop), resolved once the process is gone. */
  stop(): Promise<void>;
}

/** Starts `parley <args>` and resolves once its output matches `ready`. */
export function startParley(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Child> {
  return startProgram(process.execPath, ['bin/parley.js', ...args], ready, env, timeoutMs);
}

/** Starts any program and resolves once its output matches `ready`. */
export function startProgram(command: string, argv: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Child> {
  const args = argv;
  const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    proc,
    output: () => out,
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ').slice(0, 120)} did not start in time: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ').slice(0, 120)} exited (${code ?? signal}) before it was ready: ${out}`));
    });
  });
}

/** A person's database, opened beside whatever process serves it (WAL lets both read and write). */
export function withDb<T>(home: string, fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(join(home, 'parley.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
