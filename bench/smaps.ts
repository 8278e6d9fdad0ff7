import { readFileSync, realpathSync } from 'node:fs';

/** A process's resident memory (bytes) by what is mapped there, from /proc/PID/smaps. */
export interface Smaps {
  /** The node executable's own pages (its code and data). */
  binary: number;
  /** Native addons: every `*.node` file mapped in (libsignal, SQLite, sodium, …). */
  addons: number;
  /** Anonymous memory: the malloc heap ([heap]) and mappings with no file (V8's heap, native allocations). */
  anon: number;
  /** The rest: shared libraries, stacks, other files. */
  other: number;
}

const NODE = realpathSync(process.execPath);
const HEADER = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/;

function kindOf(path: string): keyof Smaps {
  if (path === NODE) return 'binary';
  if (path.endsWith('.node')) return 'addons';
  if (path === '' || path === '[heap]' || path.startsWith('[anon')) return 'anon';
  return 'other';
}

export function smapsOf(pid: number): Smaps {
  const sum: Smaps = { binary: 0, addons: 0, anon: 0, other: 0 };
  let kind: keyof Smaps = 'other';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = HEADER.exec(line);
    if (header) kind = kindOf(header[1]!);
    else if (line.startsWith('Rss:')) sum[kind] += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
  }
  return sum;
}
