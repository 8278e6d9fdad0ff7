import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../src/identity/index.js';
import { decodeRelayRef, encodeRelayRef } from '../../src/routing/relay-ref.js';

const id = () => randomBytes(32).toString('base64');
const ref = (h: string, p = 7000) => Buffer.from(JSON.stringify({ h, p, k: id(), m: id(), b: id() }));

describe('relay references in intro records', () => {
  it("are refused unless they name a relay by IP address and a real port, so a stranger's record cannot make us dial a host of their choosing", () => {
    for (const h of ['internal.corp', 'localhost', 'attacker.example', '', '0.0.0.0', '::', '224.0.0.251', '255.255.255.255', 'ff02::1', '1.2.3.4.5']) {
      expect(decodeRelayRef(ref(h)), h).toBeNull();
    }
    for (const p of [0, -1, 65536, 1.5]) expect(decodeRelayRef(ref('203.0.113.7', p)), String(p)).toBeNull();
  });

  it('keeps the ones that do', () => {
    for (const h of ['203.0.113.7', '127.0.2.10', '2001:db8::1', '::1']) {
      const r = { h, p: 443, k: id(), m: id(), b: id() };
      expect(decodeRelayRef(encodeRelayRef(r))).toEqual(r);
    }
  });
});
