import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestorKeys, AttestorServer, AttestorError, Attestor } from '../../src/attestor/index.js';
import { AttestorClient, blind, normaliseEmail } from '../../src/signup/index.js';
import { randomBytes } from '../../src/identity/index.js';
import { world } from '../helpers/people.js';
import { attestorWorld } from './helpers.js';

const fail = async (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: { code?: string; message: string }) => e,
  );

describe('attestor limits and trust', () => {
  let a: Awaited<ReturnType<typeof attestorWorld>>;
  beforeAll(async () => {
    a = await attestorWorld({ limits: { startsPerIp: 3, evaluationsPerIp: 10 } });
  });
  afterAll(async () => {
    await a.close();
  });

  it('limits sign-ups and evaluations per IP', async () => {
    const c = new AttestorClient(a.url);
    const idKey = randomBytes(32);
    for (let i = 0; i < 3; i++) await c.start('email', `p${i}@example.org`, idKey);
    expect(await fail(c.start('email', 'p9@example.org', idKey))).toMatchObject({
      code: 'ATTESTOR_TOO_MANY_REQUESTS',
      message: expect.stringMatching(/sign-ups from your address/),
    });
    const info = await c.info();
    const b = blind(
      'email',
      Array.from({ length: 8 }, (_, i) => `x${i}@example.org`),
      info.oprfKey,
    );
    await c.evaluate('email', b.blinded);
    expect(await fail(c.evaluate('email', b.blinded.slice(0, 3)))).toMatchObject({
      code: 'ATTESTOR_TOO_MANY_REQUESTS',
      message: expect.stringMatching(/lookups/),
    });
    expect(a.server.attestor.counters).toMatchObject({ started: 3, evaluations: 8 });
    expect(a.server.attestor.counters.rateLimited).toBeGreaterThanOrEqual(2);
    const metrics = await (await fetch(`${a.url}/v1/metrics`)).json();
    expect(metrics).toMatchObject({ started: 3, evaluations: 8, pending: 3 });
    expect(JSON.stringify(metrics)).not.toMatch(/example|127\.0/);
  });

  it('a kind with no sender is refused; an unreachable attestor says so', async () => {
    const keys = AttestorKeys.generate();
    const emailOnly = new AttestorServer({ keys, host: '127.0.0.1', email: { send: async () => {} } });
    await emailOnly.start();
    try {
      expect(await fail(new AttestorClient(emailOnly.url()).start('phone', '+41791234567', randomBytes(32)))).toMatchObject({
        code: 'ATTESTOR_UNSUPPORTED_KIND',
      });
      const broken = new AttestorServer({
        keys,
        host: '127.0.0.1',
        email: {
          send: async () => {
            throw new Error('smtp down');
          },
        },
      });
      await broken.start();
      expect(await fail(new AttestorClient(broken.url()).start('email', 'q@example.org', randomBytes(32)))).toMatchObject({
        code: 'ATTESTOR_SEND_FAILED',
        message: expect.stringMatching(/could not be sent by email/),
      });
      expect(broken.attestor.pendingCount()).toBe(0);
      await broken.stop();
    } finally {
      await emailOnly.stop();
    }
    expect(await fail(new AttestorClient('http://127.0.0.1:9').info())).toMatchObject({ code: 'ATTESTOR_UNREACHABLE' });
    expect(() => new AttestorClient('ftp://x')).toThrow(/http/);
  });

  it('pending codes are bounded and swept when they expire', () => {
    let t = 0;
    const att = new Attestor({ keys: AttestorKeys.generate(), email: { send: async () => {} }, now: () => t }, { maxPending: 2, codeTtlMs: 1000 });
    const start = (i: number) => att.start('ip', { kind: 'email', identifier: `s${i}@example.org`, idKey: randomBytes(32) });
    return (async () => {
      await start(1);
      await start(2);
      await expect(start(3)).rejects.toSatisfy((e) => AttestorError.is(e) && e.code === 'TOO_MANY_REQUESTS');
      t += 1001;
      await start(4);
      expect(att.pendingCount()).toBe(1);
      expect(normaliseEmail('S4@example.org').value).toBe('s4@example.org');
    })();
  });
});

describe('attestor limits against rotating addresses', () => {
  const keys = AttestorKeys.generate();
  const numbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+4179${String(1_000_000 + from + i)}`);
  const lookups = (n: number, from = 0) => blind('phone', numbers(n, from), keys.oprfPublic).blinded;
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'evaluated';
    } catch (err) {
      return AttestorError.is(err) ? `${err.code}: ${err.message}` : String(err);
    }
  };

  it('counts every IPv6 address of one /64 as one source', () => {
    const att = new Attestor({ keys, sms: { send: async () => {} } }, { limits: { evaluationsPerIp: 10 } });
    // Ten addresses of one /64, each asking for one lookup, use up that network's budget...
    for (let i = 1; i <= 10; i++) expect(code(() => att.evaluate(`2001:db8:1:2::${i.toString(16)}`, 'phone', lookups(1, i)))).toBe('evaluated');
    expect(code(() => att.evaluate('2001:db8:1:2:ffff:ffff:ffff:ffff', 'phone', lookups(1, 11)))).toMatch(/TOO_MANY_REQUESTS: .*lookups from your address/);
    expect(code(() => att.evaluate('2001:DB8:1:2:0:0:0:77', 'phone', lookups(1, 12)))).toMatch(/TOO_MANY_REQUESTS/);
    // ...while the next /64 and an IPv4 client have their own.
    expect(code(() => att.evaluate('2001:db8:1:3::1', 'phone', lookups(10)))).toBe('evaluated');
    expect(code(() => att.evaluate('198.51.100.7', 'phone', lookups(10)))).toBe('evaluated');
    expect(code(() => att.evaluate('::ffff:198.51.100.7', 'phone', lookups(1)))).toMatch(/TOO_MANY_REQUESTS/);
  });

  it('keeps a global budget per hour that rotating through addresses cannot escape', async () => {
    let t = 0;
    const att = new Attestor(
      { keys, sms: { send: async () => {} }, email: { send: async () => {} }, now: () => t },
      { limits: { evaluationsPerIp: 100, evaluationsPerHour: 250, startsPerHour: 5 } },
    );
    // An enumerator with a fresh address for every batch of lookups.
    let evaluated = 0;
    for (let i = 0; i < 10; i++) if (code(() => att.evaluate(`203.0.113.${i + 1}`, 'phone', lookups(50, i * 50))) === 'evaluated') evaluated += 50;
    expect(evaluated).toBe(250);
    expect(code(() => att.evaluate('192.0.2.99', 'phone', lookups(1)))).toMatch(/TOO_MANY_REQUESTS: .*lookups at this attestor this hour/);
    const start = (i: number) => att.start(`198.51.100.${i}`, { kind: 'email', identifier: `r${i}@example.org`, idKey: randomBytes(32) });
    for (let i = 1; i <= 5; i++) await start(i);
    await expect(start(6)).rejects.toThrow(/sign-ups at this attestor this hour/);
    t += 3_600_000; // the next hour has a fresh budget
    expect(code(() => att.evaluate('192.0.2.99', 'phone', lookups(1)))).toBe('evaluated');
    await start(7);
  });
});

describe('trust on first use of an attestor', () => {
  it('refuses an attestor whose keys changed since first use', async () => {
    const w = await world(3);
    const a = await attestorWorld();
    try {
      const node = await w.start('olga');
      await node.signup().startSignup({ attestor: a.url, kind: 'email', identifier: 'olga@example.org' });
      const { port } = a.server.address();
      await a.server.stop();
      const impostor = new AttestorServer({ keys: AttestorKeys.generate(), host: '127.0.0.1', port, email: { send: async () => {} } });
      await impostor.start();
      try {
        expect(await fail(node.signup().verifyCode('123456'))).toMatchObject({ code: 'ATTESTOR_KEY_CHANGED' });
        expect(await fail(node.signup().lookup('olga@example.org', { attestor: a.url }))).toMatchObject({
          code: 'ATTESTOR_KEY_CHANGED',
          message: expect.stringMatching(/forget the attestor/),
        });
        expect(node.signup().forgetAttestor(a.url)).toBe(true);
        expect(await node.signup().lookup('olga@example.org', { attestor: a.url })).toBeNull();
        expect(node.signup().attestors()).toEqual([expect.objectContaining({ url: a.url, signingKey: impostor.info().signingKey })]);
      } finally {
        await impostor.stop();
      }
    } finally {
      await a.close().catch(() => {});
      await w.close();
    }
  });
});

describe('WindowLimiter', () => {
  it('counts units per key within a window and starts afresh in the next', async () => {
    const { WindowLimiter } = await import('../../src/attestor/rate-limit.js');
    let t = 0;
    const l = new WindowLimiter({ limit: 3, windowMs: 100, now: () => t, blindKeys: true });
    expect([l.take('a', 2), l.take('a'), l.take('a'), l.take('b', 3), l.take('b', 1)]).toEqual([true, true, false, true, false]);
    expect(l.take(Buffer.from('c'), 4)).toBe(false);
    t = 100;
    expect([l.take('a', 3), l.take('b')]).toEqual([true, true]);
    expect(l.refused).toBe(3);
  });
});
