import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, Daemon, apiToken, startApi, type RunningApi } from '../../src/api/index.js';
import { Identity, linkOf, parseId, saveIdentity } from '../../src/identity/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import { until } from '../helpers/until.js';
import { listenEvents } from './helpers.js';

/** Whether this process has loaded the qrcode package (Node's module cache; imported ES modules of CommonJS land there too). */
const qrcodeLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => /[\\/]node_modules[\\/]qrcode[\\/]/.test(path));

/** The QR code of a `parley:` link as the UI must show it: drawn here, the same way, by the same package (loaded only once asked for). */
const qrOf = async (id: string) => (await import('qrcode')).default.toString(linkOf(parseId(id)), { type: 'svg', margin: 1 });

interface Running {
  daemon: Daemon;
  api: RunningApi;
  client: ApiClient;
  token: string;
}

describe('the QR code of my link, as the web UI reads it', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-my-qr-'));
  const running: Running[] = [];
  let host = 30 + Math.floor(Math.random() * 200);
  let net: Testnet;
  /** A daemon as `parley run` opens it: store first, the network in the background (a local DHT; reachable directly, no relay). */
  const open = async (name: string): Promise<Running> => {
    const home = join(root, name);
    const node = { bootstrap: net.bootstrap, host: `127.0.5.${host++}`, reachableByStrangers: true, retry: { baseMs: 200, maxMs: 1_000 } };
    const daemon = new Daemon({ home, node, networkInBackground: true });
    await daemon.open();
    const token = apiToken(home);
    const api = await startApi({ daemon, token });
    const r = { daemon, api, token, client: new ApiClient(api.url, token) };
    running.push(r);
    return r;
  };
  let alice: Running;
  let aliceId: string;
  let qrcodeAtStart: boolean;
  beforeAll(async () => {
    net = await startTestnet({ dhtNodes: 4 });
    const identity = Identity.generate();
    aliceId = identity.id;
    saveIdentity(join(root, 'alice'), identity);
    alice = await open('alice');
    qrcodeAtStart = qrcodeLoaded();
  });
  afterAll(async () => {
    for (const r of running) {
      await r.api.close();
      await r.daemon.close();
    }
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is not drawn while the daemon opens its home, nor for news nobody is there to hear', async () => {
    expect(alice.daemon.state()).toMatchObject({ status: 'running', me: { id: aliceId } });
    expect(qrcodeAtStart).toBe(false); // the ready line does not wait for it
    // The network comes up (the daemon tells its listeners) while no web UI is open.
    await until(() => alice.daemon.node!.network().state === 'up', 'the network part of the start to come up');
    expect(qrcodeLoaded()).toBe(false);
  });

  it('the state, my ID and the event stream carry it once the web UI asks', async () => {
    const expected = await qrOf(aliceId);
    const state = await alice.client.state();
    expect(state.me).toMatchObject({ id: aliceId, link: linkOf(parseId(aliceId)), qrSvg: expected });
    expect((await alice.client.me()).qrSvg).toBe(expected);
    const stream = listenEvents(alice.api.port, alice.token);
    await until(() => stream.events.some((e) => e.type === 'state'), 'the first state event on the stream');
    const first = stream.events.find((e) => e.type === 'state');
    expect(first?.type === 'state' && first.state.me?.qrSvg).toBe(expected);
    stream.close();
    expect((await alice.client.setName('Alice')).qrSvg).toBe(expected);
  });

  it('a new identity created in the web UI gets the QR code of its own link, beside another home', async () => {
    const bob = await open('bob');
    expect((await bob.client.state()).status).toBe('new');
    const onboarded = await bob.client.onboard({ mode: 'incognito', name: 'Bob' });
    const bobId = onboarded.me!.id;
    expect(bobId).not.toBe(aliceId);
    expect(onboarded.me!.qrSvg).toBe(await qrOf(bobId));
    // Each home still shows its own, read in turn.
    expect((await alice.client.me()).qrSvg).toBe(await qrOf(aliceId));
    expect((await bob.client.me()).qrSvg).toBe(await qrOf(bobId));
    expect(await qrOf(bobId)).not.toBe(await qrOf(aliceId));
  });
});
