// How the launcher (bin/parley.js) bundles the CLI with esbuild: the options and plugins every
// bundle shares. Loaded only when a bundle is built, and by the bench, whose floor is bundled alike.
'use strict';
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');

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

/** Build options for a bundle of `format` ('esm' or 'cjs'), without its entry points and output. */
function bundleOptions(format) {
  const shared = {
    bundle: true, platform: 'node', target: 'node20', external: EXTERNAL, plugins: [englishOnlyZod, libsignalBesideItsAddon, addonsWhereNpmPutThem, lazyBuiltins], write: false, logLevel: 'silent',
    // Whitespace and syntax only: names stay, so stack traces (PARLEY_DEBUG=1) still read; ~1/3 less
    // source to read, hash and keep in memory at every start.
    minifyWhitespace: true, minifySyntax: true,
  };
  if (format === 'esm') {
    // CommonJS packages bundled into ES modules still call require (node: builtins, the externals).
    return { ...shared, format, banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" } };
  }
  // `import.meta.url` becomes the bundle's own URL, as in an ES bundle; `import()` becomes require.
  return {
    ...shared, format, define: { 'import.meta.url': '__parleyModuleUrl' }, supported: { 'dynamic-import': false },
    banner: { js: "const __parleyModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
}

module.exports = { bundleOptions };
