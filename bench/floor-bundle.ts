import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build, type BuildOptions } from 'esbuild';

/** How the launcher bundles the CLI (bin/bundling.cjs), in the form it takes for an ES bundle. */
const { bundleOptions } = createRequire(import.meta.url)('../bin/bundling.cjs') as { bundleOptions: (format: 'esm' | 'cjs') => BuildOptions };

/**
 * bench/cli-floor.mjs bundled with the very options bin/parley.js bundles the other commands with
 * (bin/bundling.cjs): the packages inside one file, libsignal, sodium and SQLite loading their addons
 * by absolute path (so the bundle runs from any directory). `parley run` starts from such a bundle
 * too, a CommonJS one with V8's code cache; the floor gets no cache.
 */
export async function bundleFloor(outfile: string): Promise<string> {
  const out = await build({ ...bundleOptions('esm'), entryPoints: ['bench/cli-floor.mjs'], outfile, logLevel: 'error' });
  for (const f of out.outputFiles ?? []) writeFileSync(f.path, f.contents);
  return outfile;
}
