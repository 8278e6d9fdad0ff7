#!/usr/bin/env -S node --max-semi-space-size=1
// Launcher: `npx parley` works right after `npm ci`, with no build step to forget.
//
// --max-semi-space-size=1 (MiB): V8's young generation grows to 16 MiB while the modules load and
// stays that size; capped, an idle `parley run` holds ~20 MiB less (bench `cli`). Scavenges get more
// frequent and each one cheaper; nothing Parley does allocates fast enough for that to show.
//
// Fast path: the CLI bundled by esbuild into one file (node_modules stay external), cached in
// src/.build/ and rebuilt whenever a source file changes (~70 ms). Loading it takes about half the
// time of running the TypeScript through tsx, whose loader hooks see every module. The bundle sits
// directly under src/ so paths relative to a module (the web UI's sources) resolve as from src/*/.
// Anything unusual (esbuild missing, a read-only install, PARLEY_NO_BUNDLE=1): the sources through tsx.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const cacheDir = join(src, '.build');

/** A fingerprint of every CLI source file (the web UI is bundled by the daemon itself, at start). */
function sourcesKey() {
  const hash = createHash('sha256');
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
        packages: 'external', write: false, outdir: cacheDir, splitting: true, entryNames: key, chunkNames: `${key}-[hash]`,
        outExtension: { '.js': '.mjs' }, logLevel: 'silent',
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
