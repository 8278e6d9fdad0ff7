/** What every bench section returns, and the progress line every section writes on stderr. */
export type Row = Record<string, string | number>;

export interface SectionResult {
  title: string;
  /** When this section was measured (a partial run keeps the other sections of the last run). */
  date: string;
  seconds: number;
  rows: Row[];
  /** Further tables of the section, each under its own heading. */
  tables?: Array<{ title: string; rows: Row[] }>;
  notes: string[];
  /** Set when the section could not run or did not finish: the reason, in words. */
  error?: string;
}

export type SectionBody = Omit<SectionResult, 'date' | 'seconds'>;

/** Figures shared between sections of one run (so `tox` reuses the Parley direct round trip of `rtt`). */
export interface BenchContext {
  count: number;
  size: number;
  memo: Map<string, unknown>;
}

const t0 = Date.now();
export function progress(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
}

/** Rejects with a clear message if `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
