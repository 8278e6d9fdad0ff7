/**
 * Sections that are also standalone scripts (`npx tsx bench/ui.ts`, `bench/signup.ts`): run in their
 * own process (a browser, an attestor), they hand their rows back through a JSON file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, type Row, type SectionBody } from './section.js';

/** Called at the end of a script: when run as a section, write the rows for `npm run bench`. */
export function handBack(body: SectionBody): void {
  const out = process.env.BENCH_SECTION_OUT;
  if (out) writeFileSync(out, JSON.stringify(body));
}

export function scriptSection(script: string): () => Promise<SectionBody> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-section-'));
    const out = join(dir, 'rows.json');
    try {
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, BENCH_SECTION_OUT: out },
        });
        child.stderr!.on('data', (d: Buffer) =>
          d
            .toString()
            .split('\n')
            .filter(Boolean)
            .forEach((l) => progress(`  ${l}`)),
        );
        child.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`${script} exited with code ${code}`);
      return JSON.parse(readFileSync(out, 'utf8')) as SectionBody;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

export type { Row };
