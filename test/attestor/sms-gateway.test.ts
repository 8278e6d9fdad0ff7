import { describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttestorKeys, AttestorServer, ConsoleSmsGateway, HttpSmsGateway, smsSender } from '../../src/attestor/index.js';
import { AttestorClient } from '../../src/signup/index.js';
import { randomBytes } from '../../src/identity/index.js';

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });

describe('SMS gateways', () => {
  it('the HTTP adapter posts {to, text} with the bearer token; a failing gateway is a clear 502', async () => {
    const got: Array<{ auth?: string; json: { to: string; text: string } }> = [];
    let status = 200;
    const gw = createServer((req, res) => {
      void body(req).then((text) => {
        got.push({ ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), json: JSON.parse(text) });
        res.statusCode = status;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(gw.address() as AddressInfo).port}/sms`;
    const server = new AttestorServer({ keys: AttestorKeys.generate(), host: '127.0.0.1', sms: smsSender(new HttpSmsGateway({ url, token: 't0ken' })) });
    await server.start();
    try {
      const c = new AttestorClient(server.url());
      await c.start('phone', '044 668 18 00', randomBytes(32), 'CH');
      expect(got).toEqual([
        { auth: 'Bearer t0ken', json: { to: '+41446681800', text: expect.stringMatching(/^Your Parley code is [0-9]{6}\. It works once/) } },
      ]);
      status = 500;
      await expect(c.start('phone', '+41 44 668 18 01', randomBytes(32))).rejects.toMatchObject({
        code: 'ATTESTOR_SEND_FAILED',
        message: expect.stringMatching(/by SMS/),
      });
      expect(server.attestor.pendingCount()).toBe(1);
    } finally {
      await server.stop();
      await new Promise((r) => gw.close(r));
    }
    expect(() => new HttpSmsGateway({ url: 'mailto:x' })).toThrow(/http/);
  });

  it('the console gateway prints the message (for local use)', async () => {
    const lines: string[] = [];
    await new ConsoleSmsGateway((l) => lines.push(l)).sendSms('+41446681800', 'Your Parley code is 123456.');
    expect(lines).toEqual(['SMS to +41446681800: Your Parley code is 123456.\n']);
  });
});
