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
// those with a native addon load it from where npm put it (bin/bundling.cjs, its plugins).
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
 * A fingerprint of every CLI source file (the web UI is bundled by the daemon itself, at start), of
 * this launcher and bin/bundling.cjs (how it bundles) and of the installed packages (bundled in too):
 * npm rewrites node_modules/.package-lock.json on every install.
 */
function sourcesKey() {
  const hash = createHash('sha256');
  for (const path of [__filename, join(__dirname, 'bundling.cjs'), join(src, '..', 'node_modules', '.package-lock.json')]) {
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

/** Builds `file` (the entry, written last) unless it is there: esbuild with the options of bin/bundling.cjs. */
async function bundle(key, file, format, options) {
  if (existsSync(file)) return file;
  const [{ build }, { bundleOptions }] = [await import('esbuild'), require('./bundling.cjs')];
  writeOutput(key, (await build({ ...bundleOptions(format), ...options })).outputFiles, file);
  return file;
}

/** The whole CLI as ES modules, split: each command's module (and its packages) is a chunk loaded only when that command runs. */
const esmBundle = (key) =>
  bundle(key, join(cacheDir, `${key}.mjs`), 'esm', {
    entryPoints: [join(src, 'cli', 'main.ts')], outdir: cacheDir, splitting: true, entryNames: key, chunkNames: `${key}-[hash]`, outExtension: { '.js': '.mjs' },
  });

/**
 * `parley run` alone as one CommonJS file, so V8 can cache its compiled code (Node 20 caches no ES
 * module): compiling and linking ~3 MB of JavaScript was most of `run`'s start (bench `cli`).
 */
function runBundle(key) {
  const file = join(cacheDir, `${key}-run.cjs`);
  return bundle(key, file, 'cjs', { entryPoints: [join(src, 'cli', 'run-main.ts')], outfile: file });
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
