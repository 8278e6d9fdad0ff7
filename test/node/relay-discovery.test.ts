import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, delivered } from '../helpers/people.js';
import { DhtNode, DhtError } from '../../src/dht/index.js';
import { lookupRelay } from '../../src/relay/index.js';
import { randomBytes } from '../../src/identity/index.js';

describe('relays found in the DHT by their key', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  it('publishes each relay descriptor under its key, and people use relays named only by key', async () => {
    const client = new DhtNode({ bootstrap: w.net.bootstrap, host: '127.0.0.240', loopbackOnly: true });
    await client.start();
    try {
      for (const r of w.net.relays) {
        const d = await lookupRelay(client, Buffer.from(r.publicKey, 'base64'));
        expect(d).toMatchObject({ host: r.host, port: r.port, publicKey: r.publicKey });
      }
      const missing = await lookupRelay(client, randomBytes(32)).catch((e) => e);
      expect(DhtError.is(missing) && missing.code).toBe('NO_RECORD');
    } finally {
      await client.stop();
    }
    const [alice, bob] = await w.pair('alice', 'bob', { a: { relayKeys: [w.net.relays[0]!.publicKey] }, b: { relayKeys: [w.net.relays[1]!.publicKey] } });
    alice.send(bob.id, 'found my relay in the DHT');
    const [m] = await delivered(alice, bob.id, 1);
    expect(JSON.parse(m!.route!)).toMatchObject({ route: 'two-relays' });
  });
});
