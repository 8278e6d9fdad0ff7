import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import { RelayServer, identifyRelay } from '../../src/relay/index.js';
import { decodeDatagram, encodeDatagram } from '../../src/wire/udp-datagrams.js';
import { nodeOptionsFrom } from '../../src/cli/common.js';

describe('a relay says which Noise key it holds at its address', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = new RelayServer({ host: '127.0.2.120', keyPair: Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise() });
    await relay.start();
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('IDENTIFY and IDENTITY round-trip, and anything malformed decodes as nothing', () => {
    const txid = randomBytes(8);
    const key = randomBytes(32);
    expect(decodeDatagram(encodeDatagram({ type: 'identify', txid }))).toEqual({ type: 'identify', txid });
    expect(decodeDatagram(encodeDatagram({ type: 'identity', txid, publicKey: key }))).toEqual({ type: 'identity', txid, publicKey: key });
    expect(decodeDatagram(encodeDatagram({ type: 'identify', txid }).subarray(0, 20))).toBeNull();
    expect(decodeDatagram(Buffer.concat([encodeDatagram({ type: 'identity', txid, publicKey: key }), Buffer.from([0])]))).toBeNull();
  });

  it("answers with its key, on its TCP port's UDP twin, never larger than the question", async () => {
    const { host, port } = relay.address();
    expect(await identifyRelay(host, port, { localAddress: '127.0.2.121' })).toEqual(relay.publicKey);

    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.2.121', () => r()));
    const ask = encodeDatagram({ type: 'identify', txid: randomBytes(8) });
    const answer = await new Promise<Buffer>((resolve) => {
      socket.once('message', (m) => resolve(m));
      socket.send(ask, port, host);
    });
    socket.close();
    expect(answer.length).toBeLessThanOrEqual(ask.length); // no amplification
  });

  it('nothing answering is null, not an error', async () => {
    expect(await identifyRelay('127.0.2.122', 9, { localAddress: '127.0.2.121', timeoutMs: 300 })).toBeNull();
  });
});

describe('real-world defaults', () => {
  it('on the public network a node listens on all interfaces; on a local or named network on loopback', () => {
    expect(nodeOptionsFrom({ network: 'mainline' }).host).toBe('0.0.0.0');
    expect(nodeOptionsFrom({ network: 'mainline' }).relays).toEqual([]); // found in the DHT
    expect(nodeOptionsFrom({ bootstrap: ['127.0.0.2:6881'] }).host).toBe('127.0.0.1');
    expect(nodeOptionsFrom({ network: 'mainline', host: '192.0.2.5' }).host).toBe('192.0.2.5');
  });
});
