import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestnet, codeIn } from '../../src/testnet/index.js';
import { AttestorClient } from '../../src/signup/index.js';
import { randomBytes } from '../../src/identity/index.js';

describe('testnet with an attestor', () => {
  it('offers sign-up: codes reach its SMTP sink and its SMS file', async () => {
    const net = await startTestnet({ dhtNodes: 2, attestor: true });
    try {
      const att = net.attestor!;
      expect(att.url).toMatch(/^http:\/\/127\.0\.3\.10:\d+$/);
      const c = new AttestorClient(att.url);
      expect((await c.info()).kinds).toEqual(['email', 'phone']);
      await c.start('email', 'tess@example.org', randomBytes(32));
      expect(codeIn((await att.sink.take('tess@example.org')).raw)).toMatch(/^[0-9]{6}$/);
      await c.start('phone', '+41791234567', randomBytes(32));
      expect(readFileSync(att.smsFile, 'utf8')).toMatch(/"to":"\+41791234567".*code is [0-9]{6}/);
    } finally {
      await net.stop();
    }
  });
});
