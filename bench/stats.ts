/** Median and p99 of a list of durations (ms). */
export function summarize(samples: number[]): { n: number; median: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, median: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export type Summary = ReturnType<typeof summarize>;

export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Three significant digits (whole numbers stay whole), so tables stay readable. */
export function fmt(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => (r[c] === undefined ? '' : fmt(r[c]!))).join(' | ')} |`),
  ].join('\n');
}
