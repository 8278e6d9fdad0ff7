import { configuredRelays, RelayClient, RelayServer, type MailItem, type RelayServerOptions } from '../../src/relay/index.js';

/** Starts a relay on `host` and remembers to stop it. */
export async function startRelay(host: string, opts: Omit<RelayServerOptions, 'host'> = {}): Promise<RelayServer> {
  const server = new RelayServer({ host, ...opts });
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

/** Options for a loopback relay whose circuits may lead to `next` (named as an operator would). */
export function nextHops(...next: RelayServer[]): Pick<RelayServerOptions, 'relays' | 'allowPrivateHops'> {
  return { relays: configuredRelays(next.map((r) => ({ ...r.address(), publicKey: r.publicKey }))), allowPrivateHops: true };
}

/** A client of `server` whose socket leaves from `localAddress`; closed at cleanup. */
export async function clientOf(server: RelayServer, localAddress: string, requestTimeoutMs?: number): Promise<RelayClient> {
  const { host, port } = server.address();
  const client = new RelayClient({ host, port, publicKey: server.publicKey, localAddress, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
  cleanups.push(() => client.close());
  return client.connect();
}

export function track(client: RelayClient): RelayClient {
  cleanups.push(() => client.close());
  return client;
}

const cleanups: (() => Promise<void> | void)[] = [];
export async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

export function nextMail(client: RelayClient): Promise<MailItem> {
  return new Promise((resolve) => client.once('mail', resolve));
}

export function closed(client: RelayClient): Promise<string> {
  return new Promise((resolve) => client.once('close', resolve));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
