import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One running node per home: `<home>/node.lock` holds the pid of the process serving it. Commands
 * that find a live owner hand their work to it through the database instead of starting a second node.
 */
export function lockPath(home: string): string {
  return join(home, 'node.lock');
}

export function lockOwner(home: string): number | null {
  const path = lockPath(home);
  if (!existsSync(path)) return null;
  const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return pid;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Takes the lock; returns false if another live process holds it. */
export function acquireLock(home: string): boolean {
  const owner = lockOwner(home);
  if (owner !== null && owner !== process.pid) return false;
  writeFileSync(lockPath(home), String(process.pid), { mode: 0o600 });
  return true;
}

export function releaseLock(home: string): void {
  if (lockOwner(home) === process.pid) unlinkSync(lockPath(home));
}
