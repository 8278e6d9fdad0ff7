import { createServer, type Server } from 'node:http';

/** Serves `GET /metrics` (Prometheus text) on its own port; nothing else, and no request logging. */
export class MetricsEndpoint {
  readonly #server: Server;
  constructor(
    private readonly host: string,
    private readonly port: number,
    render: () => string,
  ) {
    this.#server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
    });
    this.#server.on('error', () => {});
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port, this.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.#server.address();
    if (!a || typeof a === 'string') throw new Error('metrics endpoint is not listening');
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
