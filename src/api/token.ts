import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
