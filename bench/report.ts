/** bench/results/latest.json and its Markdown rendering. */
import type { SectionResult } from './section.js';
import { table } from './stats.js';

export interface Results {
  date: string;
  machine: { node: string; cpus: number; cpu: string; loadavgAtStart: number[] };
  sections: Record<string, SectionResult>;
}

const ORDER = ['rtt', 'tox', 'dht', 'relay', 'daemon', 'history', 'ui', 'signup'];

export function renderMarkdown(r: Results, only?: string[]): string {
  const names = Object.keys(r.sections)
    .filter((n) => !only || only.includes(n))
    .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const out = [
    '# Parley bench results',
    '',
    `Run ${r.date} · Node ${r.machine.node} · ${r.machine.cpus} × ${r.machine.cpu} · load average at start ${r.machine.loadavgAtStart.join(' / ')}`,
    '',
    'Every figure stands beside a baseline measured in the same run; read the ratios first (the machine is shared, absolute times are noisy). How to read each table: bench/README.md.',
  ];
  for (const name of names) {
    const s = r.sections[name]!;
    out.push('', `## ${s.title} (\`${name}\`)`, '', `Measured ${s.date}, ${s.seconds.toFixed(0)} s.`, '');
    if (s.error) out.push(`**Not measured: ${s.error}**`, '');
    if (s.rows.length) out.push(table(s.rows), '');
    for (const t of s.tables ?? []) out.push(`### ${t.title}`, '', table(t.rows), '');
    for (const n of s.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}
