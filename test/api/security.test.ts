import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { apiWorld, raw, type Person } from './helpers.js';

/** Every endpoint, with a body that would be valid, so refusals come from the guards alone. */
function endpoints(bob: string): Array<[string, string, unknown?]> {
  const c = `/api/contacts/${bob}`;
  return [
    ['GET', '/api/state'],
    ['POST', '/api/onboard', { mode: 'incognito', name: 'Eve' }],
    ['POST', '/api/unlock', { passphrase: 'whatever' }],
    ['GET', '/api/me'],
    ['PATCH', '/api/me', { name: 'Eve' }],
    ['GET', '/api/contacts'],
    ['POST', '/api/contacts', { id: bob }],
    ['GET', c],
    ['PATCH', c, { name: 'Bobby' }],
    ['POST', `${c}/accept`, {}],
    ['POST', `${c}/decline`, {}],
    ['POST', `${c}/block`, {}],
    ['POST', `${c}/unblock`, {}],
    ['POST', `${c}/read`, {}],
    ['GET', `${c}/messages`],
    ['POST', `${c}/messages`, { text: 'hi' }],
    ['GET', `${c}/safety`],
    ['POST', `${c}/verify`, { verified: true }],
    ['POST', `${c}/accept-key`, {}],
    ['GET', '/api/messages?limit=10'],
    ['GET', '/api/outbox'],
    ['GET', '/api/relays'],
    ['POST', '/api/relays', { publicKey: 'A'.repeat(43) + '=', mark: 'exclude' }],
    ['GET', '/api/network'],
    ['GET', '/api/search?q=hi'],
    ['GET', '/api/signup'],
    ['POST', '/api/signup/start', { kind: 'email', identifier: 'eve@example.org' }],
    ['POST', '/api/signup/verify', { code: '123456' }],
    ['POST', '/api/signup/unlink', { kind: 'email' }],
    ['GET', '/api/find?q=eve@example.org'],
    ['POST', '/api/import', { text: 'BEGIN:VCARD\r\nEMAIL:a@example.org\r\nEND:VCARD' }],
    ['GET', '/api/events'],
  ];
}

describe('the daemon API guards', () => {
  let w: Awaited<ReturnType<typeof apiWorld>>;
  let alice: Person;
  let bobId: string;
  beforeAll(async () => {
    w = await apiWorld();
    alice = await w.person('alice');
    const bob = await w.person('bob');
    await alice.client.onboard({ mode: 'incognito', name: 'Alice' });
    bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId });
  });
  afterAll(async () => {
    await w.close();
  });

  it('refuses every endpoint without the token, with a wrong token, from a foreign Origin or a foreign Host', async () => {
    const { port } = alice.api;
    const good = { authorization: `Bearer ${alice.token}` };
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      ['no token', {}, 401, /token/],
      ['wrong token', { authorization: `Bearer ${'A'.repeat(43)}` }, 401, /token/],
      ['token of the wrong shape', { authorization: 'Bearer x' }, 401, /token/],
      ['foreign Origin', { ...good, origin: 'http://evil.example' }, 403, /other web pages/],
      ['opaque Origin', { ...good, origin: 'null' }, 403, /other web pages/],
      ['same host, other port', { ...good, origin: `http://127.0.0.1:${port + 1}` }, 403, /other web pages/],
      ['cross-site fetch', { ...good, 'sec-fetch-site': 'cross-site' }, 403, /other web pages/],
      ['foreign Host (DNS rebinding)', { ...good, host: `evil.example:${port}` }, 403, /127\.0\.0\.1 and localhost/],
      ['foreign Host without port', { ...good, host: 'evil.example' }, 403, /127\.0\.0\.1 and localhost/],
    ];
    for (const [method, path, body] of endpoints(bobId)) {
      for (const [what, headers, status, message] of cases) {
        const res = await raw(
          port,
          method,
          path,
          { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
          body ? JSON.stringify(body) : undefined,
        );
        expect(res.status, `${method} ${path}: ${what}`).toBe(status);
        expect(JSON.parse(res.body).error.message, `${method} ${path}: ${what}`).toMatch(message);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
    }
    // ... and the same requests with the token, our Host and our Origin get through the guards.
    const ok = await raw(port, 'GET', '/api/contacts', { ...good, origin: `http://127.0.0.1:${port}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).map((c: { id: string }) => c.id)).toEqual([bobId]);
    const viaLocalhost = await raw(port, 'GET', '/api/state', { ...good, host: `localhost:${port}`, origin: `http://localhost:${port}` });
    expect(viaLocalhost.status).toBe(200);
  });

  it('answers bad JSON and bad fields with a 400 that says what is wrong, never a 500', async () => {
    const { port } = alice.api;
    const auth = { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' };
    for (const [method, path, body] of endpoints(bobId).filter(([m]) => m === 'POST' || m === 'PATCH')) {
      const broken = await raw(port, method, path, auth, '{"text": "unterminated');
      expect(broken.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(broken.body).error.message).toBe('the body is not valid JSON');
      if (body && Object.keys(body).length) {
        const wrong = await raw(port, method, path, auth, JSON.stringify({ ...body, ...Object.fromEntries(Object.keys(body).map((k) => [k, 12345])) }));
        expect(wrong.status, `${method} ${path} wrong types`).toBeGreaterThanOrEqual(400);
        expect(wrong.status, `${method} ${path} wrong types`).toBeLessThan(500);
        expect(JSON.parse(wrong.body).error.message).toMatch(/\w+: /);
      }
    }
    const checks: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/api/contacts', { id: 'not-an-id' }, 400, /ID|id/],
      ['POST', `/api/contacts/${bobId}/messages`, { text: '' }, 400, /empty/],
      ['POST', `/api/contacts/${bobId}/messages`, { text: 'x'.repeat(20_000) }, 400, /text/],
      ['PATCH', `/api/contacts/${bobId}`, { visibility: 'public' }, 400, /visibility/],
      ['PATCH', `/api/contacts/${bobId}`, {}, 400, /nothing to change/],
      ['POST', '/api/contacts/zzz/messages', { text: 'hi' }, 400, /ID|id/],
      ['POST', `/api/contacts/${bobId}/accept`, {}, 404, /no pending contact request/],
      ['POST', '/api/onboard', { mode: 'incognito', name: 'Again' }, 409, /already has an identity/],
      ['POST', '/api/unlock', { passphrase: 'x' }, 409, /not locked/],
    ];
    for (const [method, path, body, status, message] of checks) {
      const res = await raw(port, method, path, auth, JSON.stringify(body));
      expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 40)}`).toBe(status);
      expect(JSON.parse(res.body).error.message).toMatch(message);
    }
    expect((await raw(port, 'GET', `/api/contacts/${bobId}/messages?limit=-3`, auth)).status).toBe(400);
    expect((await raw(port, 'GET', '/api/messages?limit=lots', auth)).status).toBe(400);
    expect((await raw(port, 'POST', '/api/contacts', { ...auth, 'content-type': 'text/plain' }, 'hello')).status).toBe(415);
    expect((await raw(port, 'POST', '/api/contacts', auth, 'x'.repeat(100_000))).status).toBe(413);
    expect((await raw(port, 'GET', '/api/nothing-here', auth)).status).toBe(404);
  });

  it('the event stream needs the token and our Origin, then sends state', async () => {
    const url = `ws://127.0.0.1:${alice.api.port}/api/events`;
    const attempt = (protocols: string[], origin?: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, protocols, origin ? { origin } : {});
        ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        ws.on('message', (data: Buffer) => {
          resolve(data.toString('utf8'));
          ws.close();
        });
        ws.on('error', () => resolve('error'));
      });
    expect(await attempt(['parley'])).toBe('refused 401');
    expect(await attempt(['parley', 'parley-token.wrong'])).toBe('refused 401');
    expect(await attempt(['parley', `parley-token.${alice.token}`], 'http://evil.example')).toBe('refused 403');
    const first = JSON.parse(await attempt(['parley', `parley-token.${alice.token}`], `http://127.0.0.1:${alice.api.port}`));
    expect(first).toMatchObject({ type: 'state', state: { status: 'running', me: { name: 'Alice' } } });
  });

  it('keeps the token in a file only its owner can read, and listens on loopback only', async () => {
    expect(statSync(join(alice.home, 'api-token')).mode & 0o777).toBe(0o600);
    expect(alice.api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await raw(alice.api.port, 'GET', '/', {});
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(alice.token);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
