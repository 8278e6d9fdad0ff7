import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { ApiClient, Daemon, apiToken, startApi, type ApiEvent, type RunningApi } from '../../src/api/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import type { NodeOptions } from '../../src/node/index.js';

export interface Person {
  daemon: Daemon;
  api: RunningApi;
  client: ApiClient;
  token: string;
  home: string;
}

/** A local network plus daemons with their APIs, torn down together. */
export async function apiWorld(opts: { relays?: number; attestor?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'parley-api-'));
  const net: Testnet = await startTestnet({ dhtNodes: 4, relays: opts.relays ?? 0, attestor: !!opts.attestor });
  const people: Person[] = [];
  let nextHost = 20 + Math.floor(Math.random() * 200);
  return {
    net,
    /** `node`: more node options (a test's expiry clock, say). */
    async person(name: string, relay?: number, node: Partial<NodeOptions> = {}): Promise<Person> {
      const home = join(root, name);
      const daemon = new Daemon({
        home,
        node: {
          bootstrap: net.bootstrap,
          host: `127.0.4.${nextHost++}`,
          retry: { baseMs: 200, maxMs: 1_000 },
          // Without a relay a person is reachable only by direct address: these tests chose that.
          ...(relay !== undefined ? { relays: [net.relays[relay]!] } : { reachableByStrangers: true }),
          // The world's other relays are their DHT exits: with one relay alone their DHT lookups would wait (issue 13 §5).
          ...(relay !== undefined && net.relays.length > 1 ? { exitRelays: net.relays.filter((_, i) => i !== relay) } : {}),
          ...node,
        },
        ...(net.attestor ? { attestor: net.attestor.url } : {}),
      });
      await daemon.open();
      const token = apiToken(home);
      const api = await startApi({ daemon, token });
      const p = { daemon, api, token, home, client: new ApiClient(api.url, token) };
      people.push(p);
      return p;
    },
    async close(): Promise<void> {
      for (const p of people) {
        await p.api.close();
        await p.daemon.close();
      }
      await net.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with full control of the headers (fetch would not let a test forge Host). */
export function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Collects a daemon's events as the UI receives them, over the WebSocket (token as subprotocol, our Origin). */
export function listenEvents(port: number | string, token: string, path = '/api/events'): { events: ApiEvent[]; opened: Promise<void>; close: () => void } {
  const events: ApiEvent[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, ['parley', `parley-token.${token}`], { origin: `http://127.0.0.1:${port}` });
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString('utf8')) as ApiEvent));
  return { events, opened: new Promise((resolve) => ws.once('open', () => resolve())), close: () => ws.close() };
}
