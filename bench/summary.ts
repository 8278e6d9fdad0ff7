/**
 * The one-screen table `npm run bench` ends with: each goal of issue 14 as figure / baseline / ratio
 * beside the goal, from whatever sections this run (or the last one) measured. A figure whose
 * section did not run is left out, so the table stays short; the sections' own tables hold the rest.
 */
import type { Results } from './report.js';
import type { Row } from './section.js';
import { table } from './stats.js';

type Pick = (r: Results) => { figure: number; baseline: number } | null;
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

/** The value column of the first row of `section` whose text column starts with `prefix`. */
function find(r: Results, section: string, prefix: string, value = 'median', text = 'measure'): number {
  const row = r.sections[section]?.rows.find((x) => String(x[text] ?? '').startsWith(prefix));
  return row ? num(row[value]) : NaN;
}

const pair = (figure: number, baseline: number) => (Number.isFinite(figure) && Number.isFinite(baseline) ? { figure, baseline } : null);

const GOALS: Array<{ figure: string; baseline: string; goal: string; pick: Pick; unit: string }> = [
  {
    figure: 'direct round trip, median',
    baseline: 'durable limit (2 commits + 2 libsignal pairs + 1 Noise RTT)',
    goal: '≤ 2',
    unit: 'ms',
    pick: (r) => pair(find(r, 'rtt', 'Parley direct', 'median_ms'), find(r, 'rtt', 'durable limit', 'median_ms')),
  },
  {
    figure: 'direct round trip, median',
    baseline: 'raw TCP echo',
    goal: '',
    unit: 'ms',
    pick: (r) => pair(find(r, 'rtt', 'Parley direct', 'median_ms'), find(r, 'rtt', 'raw TCP', 'median_ms')),
  },
  ...(['direct round trip 200 B, median', 'idle CPU of `parley run`', 'GET /api/contacts', 'unread counts', 'delivery tick'] as const).map((label) => ({
    figure: `${label}, 1,000,000 messages`,
    baseline: 'the same, empty home',
    goal: '≤ 1.1',
    unit: '',
    pick: (r: Results) => {
      const row = r.sections.history?.rows.find((x) => String(x.figure).startsWith(label) && String(x.figure).endsWith('1,000,000 messages'));
      return row ? pair(num(row.value), num(row.baseline)) : null;
    },
  })),
  {
    figure: 'relay messages per CPU-second',
    baseline: 'TCP splice per CPU-second',
    goal: '≥ 50,000/s',
    unit: 'msgs/CPU-s',
    pick: (r) => pair(find(r, 'relay', 'relay per CPU-second', 'value'), find(r, 'relay', 'splice proxy per CPU-second', 'value')),
  },
  {
    figure: 'relay memory per idle connection',
    baseline: 'splice proxy',
    goal: '≤ 1.2',
    unit: 'KiB',
    pick: (r) => pair(find(r, 'relay', 'relay memory per idle', 'value'), find(r, 'relay', 'splice proxy memory per idle', 'value')),
  },
  // The CLI figures: from the `cli` section when it ran (it measures them alone, interleaved with
  // its bare-Node baseline), else from `daemon`.
  {
    figure: '`parley --help` cold start',
    baseline: 'bare `node -e`',
    goal: '≤ 2',
    unit: 'ms',
    pick: (r) =>
      pair(find(r, 'cli', 'cli cold start: `parley --help`'), find(r, 'cli', 'cli cold start: bare')) ??
      pair(find(r, 'daemon', 'cold start: `parley --help`'), find(r, 'daemon', 'cold start: bare Node')),
  },
  {
    figure: '`parley id` cold start',
    baseline: 'bare `node -e`',
    goal: '≤ 2',
    unit: 'ms',
    pick: (r) =>
      pair(find(r, 'cli', 'cli cold start: `parley id`'), find(r, 'cli', 'cli cold start: bare')) ??
      pair(find(r, 'daemon', 'cold start: `parley id`'), find(r, 'daemon', 'cold start: bare Node')),
  },
  {
    figure: '`parley run` ready',
    baseline: 'bare `node -e`',
    goal: '≤ 3',
    unit: 'ms',
    pick: (r) =>
      pair(find(r, 'cli', 'cli cold start: `parley run`'), find(r, 'cli', 'cli cold start: bare')) ??
      pair(find(r, 'daemon', 'cold start: `parley run` (node'), find(r, 'daemon', 'cold start: bare Node')),
  },
  {
    figure: 'idle RSS of `parley run`',
    baseline: 'bare Node',
    goal: '≤ 1.5',
    unit: 'MiB',
    pick: (r) =>
      pair(find(r, 'cli', 'cli idle RSS: `parley run`'), find(r, 'cli', 'cli idle RSS: bare')) ??
      pair(find(r, 'daemon', 'idle RSS: `parley run`,'), find(r, 'daemon', 'idle RSS: bare Node')),
  },
  {
    figure: 'V8 heap used by `parley run` (after GC)',
    baseline: 'bare Node',
    goal: '',
    unit: 'MiB',
    pick: (r) => pair(find(r, 'cli', '`parley run` V8 heap used'), find(r, 'cli', '`parley run` V8 heap used', 'baseline')),
  },
];

export function summaryRows(r: Results): Row[] {
  const rows: Row[] = [];
  for (const g of GOALS) {
    const p = g.pick(r);
    if (p)
      rows.push({
        figure: g.figure,
        value: p.figure,
        baseline: g.baseline,
        baseline_value: p.baseline,
        ratio: p.figure / p.baseline,
        goal: g.goal,
        unit: g.unit,
      });
  }
  const idle = r.sections.history?.rows.find((x) => String(x.figure).startsWith('idle CPU') && String(x.figure).endsWith('1,000,000 messages'));
  if (idle)
    rows.push({
      figure: 'idle CPU of `parley run`, 1,000 contacts, 1,000,000 messages',
      value: num(idle.value),
      baseline: '1 % of a core',
      baseline_value: 1,
      ratio: num(idle.value),
      goal: '< 1',
      unit: '% of a core',
    });
  for (const d of r.sections.dht?.rows ?? [])
    rows.push({
      figure: `DHT lookup, ${d.nodes} nodes: KRPC queries`,
      value: num(d.krpc_queries_median),
      baseline: 'log2 N',
      baseline_value: num(d.log2_n),
      ratio: num(d.queries_per_log2_n),
      goal: '≤ 7',
      unit: 'queries',
    });
  return rows;
}

export function renderSummary(r: Results): string {
  const rows = summaryRows(r);
  return rows.length ? `\n## Summary: issue 14 goals (figure / baseline / ratio)\n\n${table(rows)}\n` : '';
}
