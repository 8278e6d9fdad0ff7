/**
 * Test-only: the observer harness's view of the DHT (test/helpers/observer.ts). While a sink is set,
 * every DHT node of this process hands it each datagram it receives, with the sender's address, as
 * a storing or answering node would see it. Nothing is recorded when no test set a sink: production
 * never calls `observeDatagrams`.
 */
export interface SeenDatagram {
  /** The receiving node's address. */
  at: { host: string; port: number };
  from: { host: string; port: number };
  bytes: Buffer;
  time: number;
}

let sink: ((d: SeenDatagram) => void) | null = null;

export const dhtForTest = {
  /** Starts handing every received datagram to `onDatagram`; returns the function that stops it. */
  observeDatagrams(onDatagram: (d: SeenDatagram) => void): () => void {
    sink = onDatagram;
    return () => {
      if (sink === onDatagram) sink = null;
    };
  },
};

/** Called by SocketGuard for each datagram a node receives (a no-op unless a test observes). */
export function sawDatagram(at: () => { address: string; port: number }, bytes: Buffer, rinfo: unknown): void {
  if (!sink) return;
  const r = rinfo as { address?: string; port?: number };
  const a = at();
  sink({ at: { host: a.address, port: a.port }, from: { host: r.address ?? '', port: r.port ?? 0 }, bytes: Buffer.from(bytes), time: Date.now() });
}
