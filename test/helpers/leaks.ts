import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Which files under `home` hold any of the needles (each file read whole: db, WAL, shm, journals, api files, logs). */
export function leaks(home: string, needles: Record<string, Buffer>): string[] {
  const found: string[] = [];
  for (const e of readdirSync(home, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const bytes = readFileSync(join(e.parentPath, e.name));
    for (const [what, needle] of Object.entries(needles)) if (bytes.includes(needle)) found.push(`${e.name}: ${what}`);
  }
  return found;
}

/** A message's text and each of its words of 6 letters or more (the search index holds words). */
export function needlesOf(text: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = { text: Buffer.from(text) };
  for (const w of text.split(/\W+/).filter((x) => x.length >= 6)) out[`word ${w}`] = Buffer.from(w);
  return out;
}
