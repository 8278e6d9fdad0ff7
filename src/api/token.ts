import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { randomBytes } from '../identity/index.js';

/** The per-install API token: `<home>/api-token`, 0600, created once. */
export function apiToken(home: string): string {
  const path = join(home, 'api-token');
  if (existsSync(path)) {
    const t = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(t)) return t;
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `<home>/api.json`: where the daemon serving this home listens, while it runs (for the CLI). */
export function writeApiInfo(home: string, url: string): void {
  writeFileSync(join(home, 'api.json'), JSON.stringify({ url, pid: process.pid }), { mode: 0o600 });
}

export function removeApiInfo(home: string): void {
  rmSync(join(home, 'api.json'), { force: true });
}

/** The running daemon's API URL for this home, or null when none serves it. */
export function readApiInfo(home: string): { url: string } | null {
  try {
    const info = JSON.parse(readFileSync(join(home, 'api.json'), 'utf8')) as { url?: unknown; pid?: unknown };
    if (typeof info.url !== 'string' || !/^http:\/\/127\.\d+\.\d+\.\d+:\d+\/$/.test(info.url) || typeof info.pid !== 'number') return null;
    if (info.pid !== process.pid) process.kill(info.pid, 0);
    return { url: info.url };
  } catch {
    return null;
  }
}
