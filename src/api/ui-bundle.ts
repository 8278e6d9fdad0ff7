import { fileURLToPath } from 'node:url';

export interface UiAssets {
  'app.js': Buffer;
  'app.css': Buffer;
}

let cached: Promise<UiAssets> | null = null;

/**
 * The web UI, bundled in memory by esbuild from src/ui on first use (about a second): no build
 * step to forget, no stale bundle, and nothing written to disk.
 */
export function uiAssets(): Promise<UiAssets> {
  // esbuild is loaded on the first request, not when the daemon starts (issue 14: start at once).
  cached ??= import('esbuild')
    .then(({ build }) =>
      build({
        entryPoints: [fileURLToPath(new URL('../ui/main.tsx', import.meta.url))],
        bundle: true,
        write: false,
        outdir: '/ui',
        entryNames: 'app',
        format: 'esm',
        minify: true,
        target: ['chrome110', 'firefox115', 'safari16'],
        jsx: 'automatic',
        jsxImportSource: 'preact',
        logLevel: 'silent',
        legalComments: 'none',
      }),
    )
    .then((r) => {
      const get = (ext: string) => Buffer.from(r.outputFiles.find((f) => f.path.endsWith(ext))?.contents ?? new Uint8Array());
      return { 'app.js': get('.js'), 'app.css': get('.css') };
    });
  cached.catch(() => (cached = null));
  return cached;
}

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Parley</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
