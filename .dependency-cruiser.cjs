// Imports point down only (see ../shared/design/ARCHITECTURE.md, "Layers").
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
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
