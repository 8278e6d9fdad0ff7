// Imports point down only (see docs/ARCHITECTURE.md, "Layers").
// A folder may import folders of a lower rank, never of its own rank or higher
// (same-rank siblings stay independent so each can be replaced alone).
const rank = {
  wire: 0,
  identity: 1,
  store: 2, dht: 2, transport: 2,
  e2e: 3, routing: 3,
  signup: 3, // client side of sign-up and contact discovery, shared by node, attestor and cli
  relay: 3, // relay/client sits beside transport; relay/server is a program built on the same lower layers
  node: 4, attestor: 4,
  api: 5, testnet: 5,
  cli: 6,
  ui: 7, // the web UI: runs in a browser, bundled by the api at start (see ui-browser-safe below)
};
const layers = Object.keys(rank);
const forbidden = layers.map((from) => {
  const above = layers.filter((to) => to !== from && rank[to] >= rank[from]);
  return {
    name: `${from}-imports-down-only`,
    comment: `src/${from} (rank ${rank[from]}) may not import ${above.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${above.join('|')})/` },
  };
}).filter((rule) => rule.to.path !== '^src/()/');
forbidden.push({
  name: 'no-circular',
  severity: 'error',
  from: {},
  to: { circular: true },
});
forbidden.push({
  name: 'src-not-into-tests',
  severity: 'error',
  from: { path: '^src/' },
  to: { path: '^(test|bench)/' },
});
forbidden.push({
  name: 'ui-browser-safe',
  comment: 'the web UI runs in a browser: of src/ it may import only the API client, schema and limits (and their file twins), and the receipt words',
  severity: 'error',
  from: { path: '^src/ui/' },
  to: { path: '^src/', pathNot: '^src/(ui/|api/(client|schema|limits|file-client|file-schema|receipt-words)\\.ts$)' },
});
forbidden.push({
  name: 'api-client-browser-safe',
  comment: 'the API client and schema are bundled into the web UI: no Node built-ins, no other src/ modules',
  severity: 'error',
  from: { path: '^src/(ui/|api/(client|schema|limits|file-client|file-schema|receipt-words)\\.ts$)' },
  to: { dependencyTypes: ['core'] },
});
forbidden.push({
  name: 'api-client-standalone',
  severity: 'error',
  from: { path: '^src/api/(client|schema|limits|file-client|file-schema|receipt-words)\\.ts$' },
  to: { path: '^src/', pathNot: '^src/api/(client|schema|limits|file-client|file-schema|receipt-words)\\.ts$' },
});
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    // The CLI bundle bin/parley.js caches there (generated, not source).
    exclude: { path: '^src/\\.build/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
