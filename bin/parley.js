#!/usr/bin/env -S node --max-semi-space-size=1
// Launcher: `npx parley` works right after `npm ci`, with no build step to forget.
//
// --max-semi-space-size=1 (MiB): V8's young generation grows to 16 MiB while the modules load and
// stays that size; capped, an idle `parley run` holds ~20 MiB less (bench `cli`). Scavenges get more
// frequent and each one cheaper; nothing Parley does allocates fast enough for that to show.
//
// Fast path: the CLI bundled by esbuild, cached in src/.build/ and rebuilt whenever a source file
// changes. Loading it takes about half the time of running the TypeScript through tsx, whose loader
// hooks see every module. The bundle sits directly under src/ so paths relative to a module (the
// web UI's sources) resolve as from src/*/. The pure-JavaScript packages are bundled in too:
// resolving, reading and compiling their hundreds of small CommonJS files one by one was half of
// `parley run`'s start (bench `cli`). Packages with native addons (they find their binaries next to
// their own files) stay in node_modules, loaded through the `require` the banner defines.
// Anything unusual (esbuild missing, a read-only install, PARLEY_NO_BUNDLE=1): the sources through tsx.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const cacheDir = join(src, '.build');

/** Loaded from node_modules, not bundled: native addons, and the build tools themselves. */
const EXTERNAL = [
  '@signalapp/libsignal-client',
  'better-sqlite3',
  'better-sqlite3-multiple-ciphers',
  'sodium-native',
  'sodium-universal',
  'udx-native',
  'sharp',
  'esbuild',
  'tsx',
];

/**
 * zod's translations of its error messages into ~50 languages (~0.5 MB of the run path's ~3.5 MB of
 * JavaScript, compiled at every start): Parley shows its own sentences and never picks a zod locale,
 * so `z.locales` holds English alone; zod's default, English, is imported by zod itself, unchanged.
 */
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * A fingerprint of every CLI source file (the web UI is bundled by the daemon itself, at start), of
 * this launcher (how it bundles) and of the installed packages (bundled in too): npm rewrites
 * node_modules/.package-lock.json on every install.
 */
function sourcesKey() {
  const hash = createHash('sha256');
  for (const path of [fileURLToPath(import.meta.url), join(src, '..', 'node_modules', '.package-lock.json')]) {
    const s = existsSync(path) ? statSync(path) : null;
    hash.update(`${path}\0${s?.size}\0${s?.mtimeMs}\n`);
  }
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || entry.name === 'ui') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(src);
  return hash.digest('hex').slice(0, 16);
}

async function bundled() {
  if (process.env.PARLEY_NO_BUNDLE) return null;
  try {
    const key = `cli-${sourcesKey()}`;
    const file = join(cacheDir, `${key}.mjs`);
    if (!existsSync(file)) {
      const { build } = await import('esbuild');
      // Split: each command's module (and the packages it imports) is a chunk loaded only when that
      // command runs, so `parley --help` does not load libsignal, fastify and the rest.
      const out = await build({
        entryPoints: [join(src, 'cli', 'main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
        external: EXTERNAL, plugins: [englishOnlyZod], write: false, outdir: cacheDir, splitting: true, entryNames: key, chunkNames: `${key}-[hash]`,
        outExtension: { '.js': '.mjs' }, logLevel: 'silent',
        // CommonJS packages bundled into ES modules still call require (node: builtins, the externals).
        banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" },
      });
      mkdirSync(cacheDir, { recursive: true });
      // Bundles of older sources go; this one may be being written by a parallel launcher too.
      for (const old of readdirSync(cacheDir)) if (old.startsWith('cli-') && !old.startsWith(key)) rmSync(join(cacheDir, old), { force: true });
      // Chunks first, the entry last: a parallel launcher that sees the entry finds every chunk.
      const files = out.outputFiles.sort((a, b) => (a.path === file) - (b.path === file));
      for (const f of files) {
        const tmp = `${f.path}.${process.pid}.tmp`;
        writeFileSync(tmp, f.contents);
        renameSync(tmp, f.path); // atomic: a parallel launcher sees the whole file or none
      }
    }
    return file;
  } catch {
    return null;
  }
}

const file = await bundled();
if (file) {
  await import(pathToFileURL(file).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
