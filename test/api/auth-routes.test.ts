import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { GuardedRoute } from '../../src/api/guard.js';
import { until } from '../helpers/until.js';
import { apiWorld, listenEvents, raw, type Person } from './helpers.js';

/*
 * The API decides who may call a route by the route fastify matched, so no spelling of a path reaches
 * a handler without the token. Every spelling below is applied to every route in the table the running
 * server registered (not a hand-made list), over HTTP and as a WebSocket upgrade.
 */

/** Percent-encodes every character of `s` (`upper` picks the hex case). */
const encodeAll = (s: string, upper = false) =>
  [...s].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()).join('');
/** Applies `f` to the first path segment only: `/api/x` -> `/${f('api')}/x`. */
const firstSegment = (p: string, f: (s: string) => string) => p.replace(/^\/([^/?#]+)/, (_m, s: string) => '/' + f(s));
const LONG = 'a'.repeat(8000);

type Spelling = [name: string, spell: (path: string, route: GuardedRoute, port: number) => string];
const SPELLINGS: Spelling[] = [
  ['as registered', (p) => p],
  ['first letter percent-encoded', (p) => firstSegment(p, (s) => encodeAll(s[0]!) + s.slice(1))],
  ['first segment percent-encoded', (p) => firstSegment(p, (s) => encodeAll(s))],
  [
    'every letter percent-encoded',
    (p) =>
      p
        .split('/')
        .map((s) => encodeAll(s))
        .join('/'),
  ],
  [
    'every letter, upper-case hex',
    (p) =>
      p
        .split('/')
        .map((s) => encodeAll(s, true))
        .join('/'),
  ],
  ['slashes percent-encoded', (p) => '/' + p.slice(1).replaceAll('/', '%2F')],
  ['slashes percent-encoded, lower-case', (p) => '/' + p.slice(1).replaceAll('/', '%2f')],
  ['double-encoded letter', (p) => firstSegment(p, (s) => '%25' + s.charCodeAt(0).toString(16) + s.slice(1))],
  ['double-encoded slash', (p) => '/' + p.slice(1).replaceAll('/', '%252F')],
  ['leading //', (p) => '/' + p],
  ['every slash doubled', (p) => p.replaceAll('/', '//')],
  ['/./ in front', (p) => '/.' + p],
  ['/x/../ in front', (p) => '/x/..' + p],
  ['encoded dot segment in front', (p) => '/%2e' + p],
  ['upper case', (p) => p.toUpperCase()],
  ['first segment upper case', (p) => firstSegment(p, (s) => s.toUpperCase())],
  ['; parameter at the end', (p) => p + ';x=1'],
  ['; parameter after the first segment', (p) => firstSegment(p, (s) => s + ';x=1')],
  ['trailing slash', (p) => p + '/'],
  ['query string', (p) => p + '?limit=1&q=x'],
  ['empty query', (p) => p + '?'],
  ['fragment', (p) => p + '#x'],
  ['encoded ?', (p) => p + '%3Fx'],
  ['encoded NUL', (p) => p + '%00'],
  ['invalid escape', (p) => p + '%zz'],
  ['overlong UTF-8 for a letter', (p) => firstSegment(p, (s) => '%C1%A1' + s.slice(1))],
  ['backslashes', (p) => '/' + p.slice(1).replaceAll('/', '\\')],
  ['absolute-form target', (p, _r, port) => `http://127.0.0.1:${port}${p}`],
  ['over-long query', (p) => `${p}?x=${LONG}`],
  ['over-long extra segment', (p) => `${p}/${LONG}`],
  ['over-long run of slashes in front', (p) => '/'.repeat(4000) + p],
  ['over-long parameter', (_p, r) => (r.url.includes(':') ? r.url.replace(/:\w+/g, 'a'.repeat(300)) : r.url + LONG)],
];

/** What a refusal from the guard (or the router's "no such endpoint") looks like; nothing else may come back. */
const REFUSALS = new Set([401, 403, 404]);
const REFUSAL_CODES = new Set(['UNAUTHORIZED', 'FOREIGN_HOST', 'FOREIGN_ORIGIN', 'UNKNOWN_ROUTE']);

/** The `error.code` of an API answer, '' when the body is not one. */
function errorCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}

/**
 * A WebSocket upgrade by hand (any path, any header): the status it got, 101 if it was upgraded. A
 * refused upgrade resolves only once the server has closed the socket (the HTTP server stops tracking
 * a socket that asked to upgrade: one left open would be held forever and block the daemon's shutdown).
 */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: {
        host: `127.0.0.1:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      const held = setTimeout(() => {
        resolve(`${res.statusCode}, and the server kept the socket open`);
        req.destroy();
      }, 15_000);
      res.socket.once('close', () => {
        clearTimeout(held);
        resolve(res.statusCode ?? 0);
      });
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `jobs` a few at a time (thousands of requests; the machine is shared). */
async function inBatches<T>(jobs: Array<() => Promise<T>>, size = 12): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += size) out.push(...(await Promise.all(jobs.slice(i, i + size).map((j) => j()))));
  return out;
}

describe('the API authorizes by the route that matched, not by how the URL is spelled', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let alice: Person;
  let bobId: string;
  let routes: readonly GuardedRoute[];
  beforeAll(async () => {
    w = await apiWorld();
    alice = await w.person('alice');
    const bob = await w.person('bob');
    await alice.client.onboard({ mode: 'incognito', name: 'Alice' });
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await alice.client.send(bobId, 'the secret the attacker wants');
    routes = alice.api.routes;
  });
  afterAll(async () => {
    await w.close();
  });

  const pathOf = (r: GuardedRoute) => r.url.replace(/:\w+/g, bobId);
  const sends = (r: GuardedRoute) => r.method !== 'GET' && r.method !== 'HEAD';

  it('reads a route table whose only public routes are the static page and its bundle', () => {
    expect(routes.filter((r) => !r.public).length).toBeGreaterThan(20);
    expect(routes.filter((r) => r.upgrade).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/events']);
    expect(new Set(routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`))).toEqual(
      new Set(['GET /', 'HEAD /', 'GET /app.js', 'HEAD /app.js', 'GET /app.css', 'HEAD /app.css']),
    );
  });

  it('refuses every spelling of every route without the token, with a wrong one, or from a foreign Host or Origin', async () => {
    const { port } = alice.api;
    const good = { authorization: `Bearer ${alice.token}` };
    const who: Array<[string, Record<string, string>, (r: GuardedRoute) => boolean]> = [
      ['no token', {}, (r) => !r.public],
      ['wrong token', { authorization: `Bearer ${'A'.repeat(43)}` }, (r) => !r.public],
      ['token as a subprotocol on plain HTTP', { 'sec-websocket-protocol': `parley, parley-token.${alice.token}` }, (r) => !r.public],
      ['foreign Origin', { ...good, origin: 'http://127.0.0.2:8080' }, () => true],
      ['cross-site fetch', { ...good, 'sec-fetch-site': 'cross-site' }, () => true],
      ['same-site fetch (another port)', { ...good, 'sec-fetch-site': 'same-site' }, () => true],
      ['foreign Host', { ...good, host: `evil.example:${port}` }, () => true],
    ];
    const jobs: Array<() => Promise<string | null>> = [];
    for (const route of routes) {
      for (const [spelling, spell] of SPELLINGS) {
        for (const [what, headers, applies] of who) {
          if (!applies(route)) continue;
          const path = spell(pathOf(route), route, port);
          const label = `${route.method} ${route.url} spelled "${spelling}", ${what}`;
          jobs.push(async () => {
            const body = sends(route) ? '{}' : undefined;
            const res = await raw(port, route.method, path, { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body);
            if (!REFUSALS.has(res.status)) return `${label}: ${res.status} ${res.body.slice(0, 80)}`;
            if (route.method === 'HEAD') return null;
            const code = errorCode(res.body);
            return REFUSAL_CODES.has(code) ? null : `${label}: ${res.status} ${code || res.body.slice(0, 80)}`;
          });
        }
      }
    }
    const failures = (await inBatches(jobs)).filter((f) => f !== null);
    expect(failures).toEqual([]);
    // Nothing the attempts asked for happened (block, decline, rename ... of Bob's contact).
    const bob = await alice.client.contact(bobId);
    expect(bob).toMatchObject({ name: 'Bob', state: 'added', visibility: 'relayed', verified: false, unread: 0 });
    expect((await alice.client.me()).name).toBe('Alice');
  }, 180_000);

  it('refuses every spelling of every route as a WebSocket upgrade unless it carries the token from our page', async () => {
    const { port } = alice.api;
    const token = `parley, parley-token.${alice.token}`;
    const ours = `http://127.0.0.1:${port}`;
    const who: Array<[string, Record<string, string>, (r: GuardedRoute) => boolean]> = [
      ['no token', { 'sec-websocket-protocol': 'parley' }, () => true],
      ['wrong token', { 'sec-websocket-protocol': `parley, parley-token.${'A'.repeat(43)}` }, () => true],
      ['foreign Origin', { 'sec-websocket-protocol': token, origin: 'http://127.0.0.2:8080' }, () => true],
      ['foreign Host', { 'sec-websocket-protocol': token, origin: ours, host: `evil.example:${port}` }, () => true],
      // With the token and our Origin, a route without a WebSocket handler still never upgrades.
      ['token, our Origin, a route with no WebSocket', { 'sec-websocket-protocol': token, origin: ours }, (r) => !r.upgrade],
    ];
    const jobs: Array<() => Promise<string | null>> = [];
    for (const route of routes.filter((r) => r.method === 'GET')) {
      for (const [spelling, spell] of SPELLINGS) {
        for (const [what, headers, applies] of who) {
          if (!applies(route)) continue;
          const path = spell(pathOf(route), route, port);
          jobs.push(async () => {
            const status = await upgrade(port, path, headers);
            return typeof status === 'number' && REFUSALS.has(status) ? null : `upgrade ${route.url} spelled "${spelling}", ${what}: ${status}`;
          });
        }
      }
    }
    const failures = (await inBatches(jobs)).filter((f) => f !== null);
    expect(failures).toEqual([]);
  }, 180_000);

  it('still serves every read-only route, however spelled, to a caller with the token (the spellings do reach the routes)', async () => {
    const { port } = alice.api;
    const reached = new Map<string, string[]>();
    for (const route of routes.filter((r) => r.method === 'GET' && !r.upgrade && !r.public)) {
      const ok: string[] = [];
      for (const [spelling, spell] of SPELLINGS) {
        const res = await raw(port, 'GET', spell(pathOf(route), route, port), { authorization: `Bearer ${alice.token}` });
        const code = res.status === 404 ? errorCode(res.body) : '';
        if (res.status !== 401 && res.status !== 403 && code !== 'UNKNOWN_ROUTE') ok.push(spelling);
      }
      reached.set(route.url, ok);
    }
    for (const [url, ok] of reached) {
      expect(ok, url).toEqual(
        expect.arrayContaining(['as registered', 'first letter percent-encoded', 'first segment percent-encoded', 'query string', 'fragment']),
      );
    }
    const messages = await raw(port, 'GET', '/%61pi/messages', { authorization: `Bearer ${alice.token}` });
    expect(messages.status).toBe(200);
    expect(messages.body).toContain('the secret the attacker wants');
  });

  it('streams events, however the path is spelled, to a socket with the token from our page', async () => {
    for (const path of ['/api/events', '/%61pi/events', '/%61%70%69/%65vents?x=1']) {
      const l = listenEvents(alice.api.port, alice.token, path);
      await l.opened;
      await until(() => l.events.length > 0, 'an event on the socket');
      expect(l.events[0]).toMatchObject({ type: 'state', state: { me: { name: 'Alice' } } });
      l.close();
    }
  });
});
