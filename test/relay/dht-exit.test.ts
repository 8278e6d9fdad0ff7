import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { dhtForTest, signable, targetOf, type SeenDatagram } from '../../src/dht/index.js';
import { RelayClient, RelayError, RelayServer } from '../../src/relay/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import { capturingLogger } from '../helpers/log-capture.js';
import bencode from 'bencode';

const CLIENT = '127.0.0.41';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (RelayError.is(e) ? e.code : String(e)),
  );

/** A record signed by a fresh key, as a person's device signs one before handing it to an exit. */
function signed(value: string, seq = 1) {
  const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32));
  const salt = Buffer.from('parley/intro/1');
  const v = Buffer.from(value);
  return { key: keyPair.publicKey, salt, seq, value: v, sig: keyPair.sign(signable(salt, seq, v)) };
}

describe('a relay as DHT exit', () => {
  let net: Testnet;
  let guard: RelayClient;
  const seen: SeenDatagram[] = [];
  let unobserve: () => void;
  const exit = () => net.relayServers[1]!;
  const circuit = () => guard.openCircuit(exit().address().host, exit().address().port, exit().publicKey);

  beforeAll(async () => {
    unobserve = dhtForTest.observeDatagrams((d) => seen.push(d));
    net = await startTestnet({ dhtNodes: 5, relays: 2 });
    const g = net.relayServers[0]!;
    guard = await new RelayClient({ ...g.address(), publicKey: g.publicKey, localAddress: CLIENT }).connect();
  });
  afterAll(async () => {
    unobserve();
    await guard.close();
    await net.stop();
  });

  it('puts and gets a record for a client through a circuit: DHT nodes see the exit’s address', async () => {
    const r = signed('an intro record');
    const one = await circuit();
    expect(await one.dhtPut(r)).toBeGreaterThan(0);
    await one.close();
    const two = await circuit();
    const found = await two.dhtGet(r.key, r.salt);
    await two.close();
    expect(found.record?.value.toString()).toBe('an intro record');
    expect(found.record?.sig.equals(r.sig)).toBe(true);
    const target = targetOf(r.key, r.salt);
    const asking = seen.filter((d) => {
      const m = bencode.decode(d.bytes) as { y?: Uint8Array; a?: { target?: Uint8Array; k?: Uint8Array } };
      return m.y && Buffer.from(m.y).toString() === 'q' && ((m.a?.target && target.equals(m.a.target)) || (m.a?.k && r.key.equals(m.a.k)));
    });
    expect(asking.length).toBeGreaterThan(0);
    expect(new Set(asking.map((d) => d.from.host))).toEqual(new Set([exit().address().host]));
  });

  it('refuses a record its key did not sign, and a lookup finds nothing of it', async () => {
    const r = signed('forged');
    const c = await circuit();
    expect(await codeOf(c.dhtPut({ ...r, value: Buffer.from('changed after signing') }))).toBe('BAD_REQUEST');
    expect((await c.dhtGet(r.key, r.salt)).record).toBeNull();
    await c.close();
  });

  it('answers a stale sequence number with EXIT_STALE_SEQ', async () => {
    const keyPair = Ed25519KeyPair.fromSeed(randomBytes(32));
    const salt = Buffer.from('parley/intro/1');
    const put = (seq: number, text: string) => {
      const value = Buffer.from(text);
      return { key: keyPair.publicKey, salt, seq, value, sig: keyPair.sign(signable(salt, seq, value)) };
    };
    const c = await circuit();
    await c.dhtPut(put(10, 'newer'));
    expect(await codeOf(c.dhtPut(put(5, 'older')))).toBe('EXIT_STALE_SEQ');
    await c.close();
  });

  it('limits each circuit: a burst beyond its share is refused, another circuit is still served', async () => {
    const greedy = await circuit();
    const r = signed('x');
    const codes = await Promise.all(Array.from({ length: 14 }, () => codeOf(greedy.dhtGet(r.key, r.salt))));
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(0);
    const other = await circuit();
    expect((await other.dhtGet(r.key, r.salt)).record).toBeNull();
    await greedy.close();
    await other.close();
  });

  it('a relay without a DHT says it is no exit; an exit logs no key, salt or value', async () => {
    const { logger, lines } = capturingLogger();
    const plain = new RelayServer({ host: '127.0.2.60', logger });
    await plain.start();
    try {
      const c = await new RelayClient({ ...plain.address(), publicKey: plain.publicKey, localAddress: CLIENT }).connect();
      const r = signed('secret value');
      expect(await codeOf(c.dhtGet(r.key, r.salt))).toBe('NO_EXIT');
      await c.close();
      const text = lines.join('');
      for (const needle of [r.key.toString('base64'), r.key.toString('hex'), 'parley/intro', 'secret value']) expect(text).not.toContain(needle);
    } finally {
      await plain.stop();
    }
  });
});
