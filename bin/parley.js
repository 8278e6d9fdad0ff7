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
// web UI's sources) resolve as from src/*/. The packages are bundled in too: resolving, reading and
// compiling their hundreds of small files one by one was half of `parley run`'s start (bench `cli`);
// those with a native addon load it from where npm put it (the plugins below).
// Two bundles: ES modules split per command, and `parley run` alone as one CommonJS file read with
// V8's code cache (`runBundle`, `loadCached`; docs/ARCHITECTURE.md, "The launcher").
// Anything unusual (esbuild missing, a read-only install, PARLEY_NO_BUNDLE=1): the sources through
// tsx; PARLEY_DEBUG=1 says why.
//
// CommonJS (bin/package.json), not an ES module: an ES entry starts Node's ES module loader, ~15 ms
// that `parley run`, all CommonJS, never needs.
'use strict';
const { createHash } = require('node:crypto');
const Module = require('node:module');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const src = join(__dirname, '..', 'src');
const cacheDir = join(src, '.build');

/**
 * Loaded from node_modules, not bundled: udx-native (loaded after ready, through require-addon),
 * sharp (loaded with the first image), better-sqlite3 (tests only) and the build tools. libsignal,
 * sodium and SQLite are bundled, their addons loaded from where npm put them (the plugins below).
 */
const EXTERNAL = [
  'better-sqlite3',
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
 * libsignal's JavaScript bundled like the rest (~0.7 MB of ES modules, otherwise resolved, compiled
 * and linked at every start) while its native addon stays where npm put it: the one line that finds
 * the addon from the module's own folder (`import.meta.dirname`) is given that folder.
 */
const libsignalBesideItsAddon = {
  name: 'libsignal-beside-its-addon',
  setup(b) {
    b.onLoad({ filter: /[\\/]@signalapp[\\/]libsignal-client[\\/]dist[\\/]Native\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.dirname')) throw new Error('libsignal no longer finds its addon through import.meta.dirname');
      return { contents: text.replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))), loader: 'js' };
    });
  },
};

/** The native addon file that `load()`, a package's own loader run here once, opened under `pkgDir`. */
function addonLoadedBy(pkgDir, load) {
  load();
  const found = Object.keys(require.cache).filter((k) => k.startsWith(pkgDir) && k.endsWith('.node'));
  if (found.length !== 1) throw new Error(`cannot tell which addon ${pkgDir} loads`);
  return found[0];
}

/**
 * sodium-native (through require-addon and its resolvers) and SQLite (through bindings, which reads
 * the caller's stack) find their native addon from their own files at run time: bundled, they load
 * the very file their loader picks on this machine, found at build time by running that loader. Their
 * JavaScript then compiles once into the code cache, and the resolvers are not loaded at all (~20 ms
 * of `parley run`'s start). A loader line that changed fails the build: the CLI runs through tsx.
 */
const addonsWhereNpmPutThem = {
  name: 'addons-where-npm-put-them',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]node_modules[\\/]sodium-native[\\/]binding\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!/require\.addon\('\.', __filename\)/.test(text)) throw new Error(`${args.path}: its addon loader changed`);
      const addon = addonLoadedBy(dirname(args.path), () => require(args.path));
      return { contents: `module.exports = require(${JSON.stringify(addon)});`, loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]better-sqlite3-multiple-ciphers[\\/]lib[\\/]database\.js$/ }, (args) => {
      const line = "require('bindings')('better_sqlite3.node')";
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(line)) throw new Error(`${args.path}: its addon loader changed`);
      const pkgDir = join(dirname(args.path), '..');
      const addon = addonLoadedBy(pkgDir, () => Module.createRequire(args.path)('bindings')({ bindings: 'better_sqlite3.node', module_root: pkgDir }));
      return { contents: text.replace(line, `require(${JSON.stringify(addon)})`), loader: 'js' };
    });
  },
};

/**
 * Node's modules that packages require at load but use only for what Parley never or rarely does
 * (fastify's HTTP/2 and HTTPS servers, ws's TLS client, commander's executable subcommands, ws's
 * compression): each is loaded on first use instead, behind an object that forwards to it. Compiling
 * them at start took ~60 ms of `parley run`'s start (https alone 18 ms, http2 15 ms).
 */
const LAZY_BUILTINS = /^(node:)?(http2|https|tls|child_process|zlib)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      args.kind === 'require-call' && /[\\/]node_modules[\\/]/.test(args.importer) ? { path: args.path.replace('node:', ''), namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; const real = () => (m ??= require('node:${args.path}'));
module.exports = new Proxy({}, {
  get: (_, k) => real()[k],
  has: (_, k) => k in real(),
  ownKeys: () => Reflect.ownKeys(real()),
  getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(real(), k); return d && { ...d, configurable: true }; },
});`,
      loader: 'js',
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
  for (const path of [__filename, join(src, '..', 'node_modules', '.package-lock.json')]) {
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

/** Build options both bundles share. */
const COMMON = {
  bundle: true, platform: 'node', target: 'node20', external: EXTERNAL, plugins: [englishOnlyZod, libsignalBesideItsAddon, addonsWhereNpmPutThem, lazyBuiltins], write: false, logLevel: 'silent',
  // Whitespace and syntax only: names stay, so stack traces (PARLEY_DEBUG=1) still read; ~1/3 less
  // source to read, hash and keep in memory at every start.
  minifyWhitespace: true, minifySyntax: true,
};

/** Writes esbuild's output files atomically, `last` after the others, and removes the bundles of older sources. */
function writeOutput(key, files, last) {
  mkdirSync(cacheDir, { recursive: true });
  // Bundles of older sources go; this one may be being written by a parallel launcher too.
  for (const old of readdirSync(cacheDir)) if (old.startsWith('cli-') && !old.startsWith(key)) rmSync(join(cacheDir, old), { force: true });
  // A parallel launcher that sees `last` (the entry) finds every other file.
  for (const f of files.sort((a, b) => (a.path === last) - (b.path === last))) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path); // atomic: a parallel launcher sees the whole file or none
  }
}

/** The whole CLI as ES modules, split: each command's module (and its packages) is a chunk loaded only when that command runs. */
async function esmBundle(key) {
  const file = join(cacheDir, `${key}.mjs`);
  if (existsSync(file)) return file;
  const { build } = await import('esbuild');
  const out = await build({
    ...COMMON, entryPoints: [join(src, 'cli', 'main.ts')], format: 'esm', outdir: cacheDir, splitting: true, entryNames: key,
    chunkNames: `${key}-[hash]`, outExtension: { '.js': '.mjs' },
    // CommonJS packages bundled into ES modules still call require (node: builtins, the externals).
    banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" },
  });
  writeOutput(key, out.outputFiles, file);
  return file;
}

/**
 * `parley run` alone as one CommonJS file, so V8 can cache its compiled code (Node 20 caches no ES
 * module): compiling and linking ~3 MB of JavaScript was most of `run`'s start (bench `cli`).
 * `import.meta.url` becomes the bundle's own URL, as in the ES bundle, whose files sit beside it.
 */
async function runBundle(key) {
  const file = join(cacheDir, `${key}-run.cjs`);
  if (existsSync(file)) return file;
  const { build } = await import('esbuild');
  const out = await build({
    ...COMMON, entryPoints: [join(src, 'cli', 'run-main.ts')], format: 'cjs', outfile: file,
    define: { 'import.meta.url': '__parleyModuleUrl' }, supported: { 'dynamic-import': false },
    banner: { js: "const __parleyModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  writeOutput(key, out.outputFiles, file);
  return file;
}

/**
 * Loads a CommonJS bundle with V8's code cache beside it. `saveCache` writes what the process has
 * compiled so far, if the cache was missing or refused (another Node, other flags: both are in its
 * name); the next start reads those functions instead of compiling them.
 */
function loadCached(file) {
  const flags = createHash('sha256').update(`${process.version}\0${process.execArgv.join('\0')}`).digest('hex').slice(0, 8);
  const cacheFile = file.replace(/\.cjs$/, `-${flags}.v8cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) });
  let stale = !cachedData || script.cachedDataRejected;
  const saveCache = () => {
    if (!stale) return;
    stale = false;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {} // a read-only install starts as it did before the cache
  };
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file));
  return { exports: module.exports, saveCache };
}

/** The bundle this command line runs, built if the sources changed; null if it cannot be (then tsx runs the sources). */
async function built() {
  if (process.env.PARLEY_NO_BUNDLE) return null;
  try {
    const key = `cli-${sourcesKey()}`;
    return process.argv[2] === 'run' ? { run: await runBundle(key) } : { esm: await esmBundle(key) };
  } catch (err) {
    if (process.env.PARLEY_DEBUG) process.stderr.write(`parley: could not bundle the CLI (${err?.message ?? err}); running its sources through tsx\n`);
    return null;
  }
}

async function main() {
  const file = await built();
  if (file?.run) {
    const { exports, saveCache } = loadCached(file.run);
    await exports.runCommand(saveCache); // saved once ready: the code a start needs, not what runs after
  } else if (file?.esm) await import(pathToFileURL(file.esm).href);
  else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
  }
}

main();
