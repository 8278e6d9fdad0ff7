import type { BenchContext, SectionBody } from './section.js';
export async function daemonSection(_ctx: BenchContext): Promise<SectionBody> {
  return { title: 'Daemon', rows: [], notes: [], error: 'not yet' };
}
