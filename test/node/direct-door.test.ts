import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, received, delivered } from '../helpers/people.js';
import type { ParleyNode } from '../../src/node/index.js';
import { dial, TransportError, type Connection } from '../../src/transport/index.js';
import { peerCodec, type PeerFrame, type PeerFrameOut } from '../../src/wire/peer-frames.js';
import { Ed25519KeyPair, randomBytes } from '../../src/identity/index.js';
import type { RouteReceipt } from '../../src/routing/receipt.js';
import { reachOf } from '../../src/node/router.js';
import { openDb, setVisibility } from '../../src/store/index.js';
import { join } from 'node:path';
import { until } from '../helpers/until.js';

/** Resolves when `node` sees its direct link to `id` close; rejects after `ms`. */
const linkClosed = (node: ParleyNode, id: string, ms = 10_000) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the direct link is still open')), ms);
    const on = (who: string, online: boolean) => {
      if (who === id && !online) {
        node.off('presence', on);
        clearTimeout(timer);
        resolve();
      }
    };
    node.on('presence', on);
  });

/** The door (endpoint and key) as a contact holds it from the reach they were sent. */
const doorKnownBy = (node: ParleyNode, of: string) => {
  const reach = reachOf(node.db, of)!;
  const i = reach.endpoint.lastIndexOf(':');
  return { host: reach.endpoint.slice(0, i), port: Number(reach.endpoint.slice(i + 1)), key: Buffer.from(reach.transportKey, 'base64') };
};

/** A dial to a door as `keyPair` would: resolves to the open connection or the transport error. */
const knock = (door: { host: string; port: number; key: Buffer }, keyPair: { publicKey: Buffer; secretKey: Buffer }, from: string) =>
  dial(peerCodec, { host: door.host, port: door.port, remotePublicKey: door.key, keyPair, localAddress: from, connectTimeoutMs: 3_000 }).then(
    (c: Connection<PeerFrameOut, PeerFrame>) => c,
    (e: unknown) => e,
  );

const routeOf = (node: ParleyNode, contact: string, messageId: string) =>
  JSON.parse(node.history(contact, 1000).find((m) => m.id === messageId)!.route!) as RouteReceipt;

describe('a contact switched from direct back to relayed', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let n = 0;
  beforeAll(async () => {
    w = await world(6, 2);
  });
  afterAll(async () => {
    await w.close();
  });

  /** Two people on their own relays, both `direct`, with a proven direct link between them. */
  async function directPair(alice: ParleyNode, name: string): Promise<ParleyNode> {
    const bob = await w.start(`${name}${++n}`, { relays: [w.net.relays[1]!] });
    alice.addContact(bob.id);
    bob.addContact(alice.id);
    alice.setVisibility(bob.id, 'direct');
    bob.setVisibility(alice.id, 'direct');
    const before = alice.history(bob.id).length;
    alice.send(bob.id, 'hello');
    bob.send(alice.id, 'hello back');
    await delivered(alice, bob.id, 1);
    await delivered(bob, alice.id, 1);
    const probe = alice.send(bob.id, 'probe'); // each now holds the other's reach: this one goes device to device
    await delivered(alice, bob.id, 2);
    expect(routeOf(alice, bob.id, probe.id)).toMatchObject({ route: 'direct' });
    expect(alice.history(bob.id).length).toBe(before + 3);
    await until(() => bob.online().includes(alice.id) && alice.online().includes(bob.id), 'the direct link');
    return bob;
  }

  it('closes the link at once, moves the door, refuses their new knock, and still delivers through relays', async () => {
    const alice = await w.start(`alice${++n}`, { relays: [w.net.relays[0]!] });
    const bob = await directPair(alice, 'bob');
    const oldDoor = doorKnownBy(bob, alice.id);
    expect(oldDoor.port).toBe(alice.address().port);
    const bobsKey = bob.identity.transportKey.forNoise();
    const bobsHost = bob.address().host;
    const aliceSaw = alice.forTest().observeInbound();
    const seenBefore = aliceSaw.length;

    const closedAtBob = linkClosed(bob, alice.id);
    alice.setVisibility(bob.id, 'relayed');
    await closedAtBob; // Bob's side observes it: the socket is gone
    expect(alice.online()).not.toContain(bob.id);

    // Nobody else is `direct`: a new key on a new port. What Bob knows of the old door leads nowhere.
    await until(() => alice.address().port !== oldDoor.port, 'the door to move');
    const atOld = await knock(oldDoor, bobsKey, bobsHost);
    expect(TransportError.is(atOld)).toBe(true);

    // Even at the new door, with its key, Bob's key gets no answer; a stranger's key does (the door is open, only Bob is refused).
    const newDoor = { ...alice.address(), key: alice.forTest().transportKey() };
    const bobAtNew = await knock(newDoor, bobsKey, bobsHost);
    expect(TransportError.is(bobAtNew)).toBe(true);
    const stranger = await knock(newDoor, Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(), '127.0.0.251');
    expect(TransportError.is(stranger)).toBe(false);
    (stranger as Connection<PeerFrameOut, PeerFrame>).close();

    // Messages both ways still arrive, through the relays; Alice never holds a link from Bob's address again.
    const a = alice.send(bob.id, 'now through relays');
    const b = bob.send(alice.id, 'me too');
    await received(bob, alice.id, 3);
    await received(alice, bob.id, 2);
    await delivered(alice, bob.id, 3);
    await delivered(bob, alice.id, 2);
    expect(routeOf(alice, bob.id, a.id)).toMatchObject({ route: 'two-relays' });
    expect(routeOf(alice, bob.id, b.id).route).not.toBe('direct');
    expect(aliceSaw.slice(seenBefore)).not.toContain(bobsHost);
    expect(alice.online()).not.toContain(bob.id);
  });

  it('keeps the door for another direct contact, but answers the relayed one no more', async () => {
    const alice = await w.start(`alice${++n}`, { relays: [w.net.relays[0]!] });
    const bob = await directPair(alice, 'bob');
    const carol = await directPair(alice, 'carol');
    const door = doorKnownBy(bob, alice.id);

    const closedAtBob = linkClosed(bob, alice.id);
    alice.setVisibility(bob.id, 'relayed');
    await closedAtBob;
    expect(alice.online()).toContain(carol.id);

    // Bob still knows the door (Carol needs it), but his key is refused before Alice answers.
    const bobAtDoor = await knock(door, bob.identity.transportKey.forNoise(), bob.address().host);
    expect(TransportError.is(bobAtDoor)).toBe(true);
    expect(alice.address().port).toBe(door.port);

    const toCarol = alice.send(carol.id, 'still direct');
    const fromBob = bob.send(alice.id, 'through relays');
    await delivered(alice, carol.id, 3);
    await delivered(bob, alice.id, 2);
    expect(routeOf(alice, carol.id, toCarol.id)).toMatchObject({ route: 'direct' });
    expect(routeOf(alice, bob.id, fromBob.id).route).not.toBe('direct');
    expect(alice.online()).not.toContain(bob.id);
  });

  it('moves the door at start when the switch was made while the node was down (as the CLI does)', async () => {
    const name = `alice${++n}`;
    const alice = await w.start(name, { relays: [w.net.relays[0]!] });
    const bob = await directPair(alice, 'bob');
    const oldDoor = doorKnownBy(bob, alice.id);
    await w.stop(alice);
    const db = openDb(join(w.root, name, 'parley.db'));
    setVisibility(db, bob.id, 'relayed');
    db.close();

    const again = await w.start(name, { relays: [w.net.relays[0]!] });
    expect(again.address().port).not.toBe(oldDoor.port);
    const atOld = await knock({ ...oldDoor, host: again.address().host }, bob.identity.transportKey.forNoise(), bob.address().host);
    expect(TransportError.is(atOld)).toBe(true);
    const fromBob = bob.send(again.id, 'after the restart');
    await delivered(bob, again.id, 2);
    expect(routeOf(again, bob.id, fromBob.id).route).not.toBe('direct');
  });
});
