import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../helpers/browsers.js';
import { apiWorld, type Person } from './helpers.js';

/*
 * A web page the user happens to have open, served from another loopback origin, tries what a page
 * can do against the daemon: open the event WebSocket (WebSockets have no CORS, so only the daemon's
 * own checks stand in the way) and send state-changing requests. It is given the API token too, the
 * worst case: the Origin checks alone must stop it. Then the same code, run from the daemon's own
 * page, succeeds, which shows the attempts were real.
 */

interface Attempt {
  daemon: string;
  bobId: string;
  token: string;
  /** The PATCH body to send to Bob's contact. */
  patch: Record<string, string>;
  text: string;
}
interface Outcome {
  /** Per WebSocket: how many events it received before it closed. */
  events: Record<string, number>;
  /** Per request: 'rejected' (the browser saw no answer it may read), 'opaque' or the status. */
  requests: Record<string, string>;
}

/** Runs in the page. Resolves once every socket has closed (or delivered an event) and every request has settled. */
async function attack(a: Attempt): Promise<Outcome> {
  const out: Outcome = { events: {}, requests: {} };
  const ws = (label: string, path: string, protocols: string[]) =>
    new Promise<void>((resolve) => {
      const s = new WebSocket(`ws://${a.daemon}${path}`, protocols);
      out.events[label] = 0;
      s.onmessage = () => {
        out.events[label]! += 1;
        s.close();
      };
      s.onclose = () => resolve();
    });
  const req = (label: string, path: string, init: RequestInit) =>
    fetch(`http://${a.daemon}${path}`, init).then(
      (r) => void (out.requests[label] = r.type === 'opaque' ? 'opaque' : String(r.status)),
      () => void (out.requests[label] = 'rejected'),
    );
  const json = { 'content-type': 'application/json', authorization: `Bearer ${a.token}` };
  const jobs: Array<Promise<void>> = [];
  for (const prefix of ['/api', '/%61pi']) {
    const c = `${prefix}/contacts/${a.bobId}`;
    jobs.push(
      ws(`${prefix}/events without token`, `${prefix}/events`, ['parley']),
      ws(`${prefix}/events with token`, `${prefix}/events`, ['parley', `parley-token.${a.token}`]),
      // A "simple" request: no preflight, so it reaches the daemon, which must refuse it.
      req(`no-cors POST ${c}/block`, `${c}/block`, { method: 'POST', mode: 'no-cors' }),
      req(`POST ${c}/messages`, `${c}/messages`, { method: 'POST', headers: json, body: JSON.stringify({ text: a.text }) }),
      req(`PATCH ${c}`, c, { method: 'PATCH', headers: json, body: JSON.stringify(a.patch) }),
    );
  }
  await Promise.all(jobs);
  return out;
}

/** A tiny web server on its own loopback origin: the page some other program or site serves. */
async function foreignSite(host: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}/` };
}

describe('a page from another loopback origin, in real Chromium, cannot use the daemon', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let browser: Browser;
  let alice: Person;
  let bobId: string;
  const sites: Server[] = [];
  beforeAll(async () => {
    w = await apiWorld();
    alice = await w.person('alice');
    const bob = await w.person('bob');
    await alice.client.onboard({ mode: 'incognito', name: 'Alice' });
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    // launchChromium's flags, with the stranger's loopback address let through the no-DNS rule too.
    const args = CHROMIUM_FLAGS.map((f) => (f.startsWith('--host-resolver-rules=') ? `${f}, EXCLUDE 127.0.0.2` : f));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of sites) await new Promise((resolve) => s.close(resolve));
    await w.close();
  });

  const attempt = (page: Page, patch: Record<string, string>, text: string) =>
    page.evaluate(attack, { daemon: `127.0.0.1:${alice.api.port}`, bobId, token: alice.token, patch, text });

  it('reads no event and changes nothing, from another address or another port; our own page can', async () => {
    for (const host of ['127.0.0.2', '127.0.0.1']) {
      const site = await foreignSite(host);
      sites.push(site.server);
      const page = await browser.newPage();
      await page.goto(site.url);
      const out = await attempt(page, { visibility: 'direct', name: 'Mallory' }, 'sent by a stranger page');
      await page.close();
      expect(Object.keys(out.events).length, site.url).toBe(4);
      expect(
        Object.values(out.events).every((n) => n === 0),
        `${site.url}: ${JSON.stringify(out.events)}`,
      ).toBe(true);
      expect(Object.keys(out.requests).length, site.url).toBe(6);
      expect(
        Object.values(out.requests).every((r) => r === 'rejected' || r === 'opaque'),
        `${site.url}: ${JSON.stringify(out.requests)}`,
      ).toBe(true);
    }
    // Every attempt has been answered; the daemon's state is as before.
    expect(await alice.client.contact(bobId)).toMatchObject({ name: 'Bob', visibility: 'relayed', state: 'added' });
    expect((await alice.client.messages(bobId)).map((m) => m.body)).toEqual([]);

    // The same code from the daemon's own page gets its events and its changes through.
    const ours = await browser.newPage();
    await ours.goto(`${alice.api.url}app.css`);
    const out = await attempt(ours, { name: 'Robert' }, 'sent from our own page');
    await ours.close();
    expect(out.events['/api/events with token']).toBe(1);
    expect(out.events['/%61pi/events with token']).toBe(1);
    expect(out.events['/api/events without token']).toBe(0);
    expect(out.requests[`PATCH /api/contacts/${bobId}`]).toBe('200');
    expect(out.requests[`POST /api/contacts/${bobId}/messages`]).toBe('200');
    expect(await alice.client.contact(bobId)).toMatchObject({ name: 'Robert' });
    expect((await alice.client.messages(bobId)).map((m) => m.body)).toContain('sent from our own page');
  });
});
