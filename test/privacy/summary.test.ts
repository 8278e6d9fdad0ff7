import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, Daemon, apiToken, startApi, type RunningApi } from '../../src/api/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import type { NodeOptions } from '../../src/node/index.js';
import { DHT_WAITING_SENTENCE } from '../../src/node/errors.js';

/** Issue 13 §8: the privacy summary says where DHT lookups and publishing leave from, and warns when that is the device's own address. */
describe('the privacy summary tells how the DHT traffic goes', () => {
  let net: Testnet;
  const root = mkdtempSync(join(tmpdir(), 'parley-summary-'));
  const open: Array<{ api: RunningApi; daemon: Daemon }> = [];
  let host = 60 + Math.floor(Math.random() * 100);
  beforeAll(async () => {
    net = await startTestnet({ dhtNodes: 4, relays: 2 });
  });
  afterAll(async () => {
    for (const o of open) {
      await o.api.close();
      await o.daemon.close();
    }
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function stateOf(name: string, node: Partial<NodeOptions>) {
    const home = join(root, name);
    const daemon = new Daemon({ home, node: { bootstrap: net.bootstrap, host: `127.0.5.${host++}`, ...node } });
    await daemon.open();
    const api = await startApi({ daemon, token: apiToken(home) });
    open.push({ api, daemon });
    const client = new ApiClient(api.url, apiToken(home));
    await client.onboard({ mode: 'incognito', name });
    return client.state();
  }

  it('through an exit: names the exit relay and says DHT nodes do not see your address', async () => {
    const s = await stateOf('alice', { relays: [net.relays[0]!], exitRelays: [net.relays[1]!] });
    expect(s.dhtTraffic).toEqual({
      private: true,
      sentence: expect.stringContaining(`leaves through relay ${net.relays[1]!.host}:${net.relays[1]!.port}`) as string,
    });
  });

  it('with one relay known: says the DHT traffic waits for a second relay rather than leave from your address', async () => {
    const s = await stateOf('bob', { relays: [net.relays[0]!], exitRelays: [] });
    expect(s.dhtTraffic).toEqual({ private: true, waiting: true, sentence: expect.stringContaining(DHT_WAITING_SENTENCE) as string });
  });

  it('with no relay at all: warns that it leaves from your own address, and why', async () => {
    const s = await stateOf('carol', { relays: [] });
    expect(s.dhtTraffic?.private).toBe(false);
    expect(s.dhtTraffic?.sentence).toMatch(/^Warning: your DHT traffic leaves from your own address, because you have no relay/);
  });
});
