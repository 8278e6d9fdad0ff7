import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The floor's packages with native addons: they find their binaries next to their own files, so they stay in node_modules. */
const NATIVE = /^(@signalapp\/libsignal-client|better-sqlite3-multiple-ciphers|sodium-native)$/;

/**
 * bench/cli-floor.mjs bundled the way bin/parley.js bundles the CLI: the pure-JavaScript packages
 * in one file, the native ones imported from node_modules by absolute path (so the bundle runs from
 * any directory). `parley run` starts from such a bundle; the floor beside it should too.
 */
export async function bundleFloor(outfile: string): Promise<string> {
  const resolve = createRequire(join(process.cwd(), 'bench', '/')).resolve;
  await build({
    entryPoints: ['bench/cli-floor.mjs'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'error',
    // CommonJS packages bundled into an ES module still call require (node: builtins).
    banner: { js: "import { createRequire as __floorRequire } from 'node:module'; const require = __floorRequire(import.meta.url);" },
    plugins: [{ name: 'native-in-node-modules', setup: (b) => b.onResolve({ filter: NATIVE }, (args) => ({ path: resolve(args.path), external: true })) }],
  });
  return outfile;
}
