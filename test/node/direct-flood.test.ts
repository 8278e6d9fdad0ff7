import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { Identity } from '../../src/identity/index.js';
import { Peers, type PeersComponents } from '../../src/node/peers.js';

const ALICE = '127.0.6.21';
const BOB = '127.0.6.22';
const ATTACKER = '127.0.5.21';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function peersOn(host: string, identity: Identity, resolve: PeersComponents['resolve']): Promise<Peers> {
  const peers = new Peers({ logger: pino({ level: 'silent' }), resolve, onFrame: () => {} }, { host, keyPair: identity.transportKey });
  await peers.start();
  stops.push(() => peers.stop());
  return peers;
}

/** `n` bare sockets from `from` that never start the handshake; resolves once each was accepted or turned away. */
async function idleSockets(host: string, port: number, from: string, n: number): Promise<Socket[]> {
  const sockets = Array.from({ length: n }, () => connect({ host, port, localAddress: from }).on('error', () => {}));
  stops.push(() => sockets.forEach((s) => s.destroy()));
  await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r).once('close', r))));
  return sockets;
}

describe("a node's direct listener under a flood of idle sockets from one address", () => {
  it('still lets a contact connect from another address', async () => {
    const alice = Identity.generate();
    const bob = Identity.generate();
    const bobPeers = await peersOn(BOB, bob, async () => null);
    const endpoint = { ...bobPeers.address(), transportKey: bob.transportKey.forNoise().publicKey };
    const alicePeers = await peersOn(ALICE, alice, async () => endpoint);

    await idleSockets(endpoint.host, endpoint.port, ATTACKER, 1500);
    const conn = await alicePeers.connect(bob.id);
    expect(conn.opened).toBe(true);
    expect(conn.remotePublicKey?.equals(endpoint.transportKey)).toBe(true);
  });
});
