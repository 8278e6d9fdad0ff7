import type DHT from 'bittorrent-dht';

/**
 * Pings every node in the routing table at once and forgets those that do not answer. Mainline
 * nodes only notice a departed peer when a bucket overflows or a lookup times out on it, so they
 * keep handing it out; a small closed network (the testnet) sweeps instead, so nodes that stopped
 * vanish within a sweep and do not cost later lookups a query timeout each.
 */
export function sweep(dht: DHT): Promise<{ alive: number; removed: number }> {
  const nodes = dht.nodes.toArray();
  let removed = 0;
  return Promise.all(
    nodes.map(
      (node) =>
        new Promise<void>((resolve) => {
          dht._rpc.query({ host: node.host, port: node.port, id: node.id }, { q: 'ping' }, (err) => {
            if (err && !dht.destroyed) {
              dht.removeNode(node.id);
              removed++;
            }
            resolve();
          });
        }),
    ),
  ).then(() => ({ alive: nodes.length - removed, removed }));
}
