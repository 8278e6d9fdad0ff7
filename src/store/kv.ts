import { stmt, type Db } from './db.js';

export function getKv(db: Db, key: string): string | undefined {
  return (stmt(db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setKv(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteKv(db: Db, key: string): boolean {
  return stmt(db, 'DELETE FROM kv WHERE key = ?').run(key).changes === 1;
}
