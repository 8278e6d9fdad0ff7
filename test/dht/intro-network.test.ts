import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identity, randomBytes } from '../../src/identity/index.js';
import {
  CLOCK_SKEW_S,
  DhtError,
  DhtNode,
  IntroSeqs,
  MAX_RELAY_BYTES,
  encodeIntro,
  INTRO_SALT,
  lookupIntro,
  publishIntro,
  targetOf,
  verifyIntro,
  type IntroOptions,
} from '../../src/dht/index.js';
import { startTestnet, type Testnet } from '../../src/testnet/index.js';
import { introOf, signedRecord } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);
const options = (endpoint: string): IntroOptions => ({ endpoint, expiresAt: now() + 7200 });

let net: Testnet;
const started: DhtNode[] = [];
let hostByte = 30 + Math.floor(Math.random() * 100);

/** A DHT client (not part of the testnet) on its own loopback address, joined through the testnet. */
async function client(extra: Partial<ConstructorParameters<typeof DhtNode>[0]> = {}): Promise<DhtNode> {
  const node = new DhtNode({ bootstrap: net.bootstrap, host: `127.0.0.${hostByte++}`, loopbackOnly: true, ...extra });
  await node.start();
  started.push(node);
  return node;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (DhtError.is(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

beforeAll(async () => {
  net = await startTestnet({ dhtNodes: 8 });
});

afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  await net.stop();
});

describe('intro records on an 8-node local network', () => {
  const alice = Identity.generate();

  it("Bob finds and verifies Alice's intro record through the network, then sees her republish replace it", async () => {
    const aliceNode = await client();
    const stored = await publishIntro(aliceNode, alice, options('127.0.0.200:4001'), 1);
    expect(stored).toBeGreaterThanOrEqual(8);

    const bobNode = await client();
    const raw = bobNode.forTest().dht;
    expect(raw._values.get(targetOf(alice.identityKey.publicKey, Buffer.from(INTRO_SALT)).toString('hex'))).toBeUndefined();
    const before = bobNode.queryCount();
    const intro = await lookupIntro(bobNode, alice.id, now());
    expect(bobNode.queryCount() - before).toBeGreaterThan(0);
    expect(intro.id).toBe(alice.id);
    expect(intro.seq).toBe(1);
    expect(intro.endpoint).toBe('127.0.0.200:4001');
    expect(intro.signalIdentityKey.equals(alice.signalIdentityPublic)).toBe(true);

    await publishIntro(aliceNode, alice, options('127.0.0.201:4002'), 2);
    const again = await lookupIntro(bobNode, alice.id, now());
    expect(again.seq).toBe(2);
    expect(again.endpoint).toBe('127.0.0.201:4002');

    // Nodes refuse an older sequence number, so a stale copy cannot be put back.
    const stale = publishIntro(aliceNode, alice, options('127.0.0.200:4001'), 1);
    await expect(stale).rejects.toMatchObject({ code: 'STALE_SEQ', message: expect.stringMatching(/higher sequence number/) });
  });

  it("reports a forged record as 'bad signature', and prefers Alice's genuine record over a forged one", async () => {
    const mallory = await client({ verify: () => true });
    const forged = { ...signedRecord(alice, encodeIntro(introOf(alice, { endpoint: '127.0.0.66:6666' })), 1_000_000), signature: randomBytes(64) };
    mallory.forTest().plant(forged);

    const carol = Identity.generate(); // never published: Mallory's forgery is the only answer
    mallory.forTest().plant({ ...forged, publicKey: carol.identityKey.publicKey });

    const bobNode = await client();
    const intro = await lookupIntro(bobNode, alice.id, now());
    expect(intro.seq).toBe(2);
    expect(intro.endpoint).toBe('127.0.0.201:4002');
    await expect.poll(() => bobNode.stats().rejected['bad signature']).toBe(1);

    const { record, rejected } = await bobNode.getMutable(carol.identityKey.publicKey, INTRO_SALT);
    expect(record).toBeNull();
    expect(rejected).toEqual(['bad signature']);
    const err = await lookupIntro(bobNode, carol.id, now()).catch((e: unknown) => e);
    expect(DhtError.is(err) && err.code).toBe('BAD_SIGNATURE');
    expect((err as DhtError).message).toBe(
      'no valid intro record was found: 1 response rejected (bad signature); someone may be forging records for this ID, try again later',
    );
    expect((err as DhtError).rejected).toEqual(['bad signature']);
  });

  it("reports a record signed by another key under someone's address as 'wrong key'", async () => {
    const mallory = await client({ verify: () => true });
    const eve = Identity.generate();
    const dan = Identity.generate();
    const own = signedRecord(eve, encodeIntro(introOf(eve)));
    mallory.forTest().plant(own, targetOf(dan.identityKey.publicKey, Buffer.from(INTRO_SALT)));
    const bobNode = await client();
    const err = await lookupIntro(bobNode, dan.id, now()).catch((e: unknown) => e);
    expect(DhtError.is(err) && err.code).toBe('WRONG_KEY');
    expect((err as DhtError).rejected).toEqual(['wrong key']);
  });

  it('rejects correctly signed records whose content is bad, each with its own reason', async () => {
    const writer = await client();
    const reader = await client();
    const publish = (who: Identity, value: Buffer) => writer.putMutable({ keyPair: who.identityKey, salt: INTRO_SALT, value, seq: 1 });

    const dave = Identity.generate();
    const mallory = Identity.generate();
    await publish(dave, encodeIntro(introOf(dave, { signalIdentityKey: mallory.signalIdentityPublic, binding: mallory.binding })));
    expect(await codeOf(lookupIntro(reader, dave.id, now()))).toBe('BAD_BINDING');

    const erin = Identity.generate();
    await publish(erin, randomBytes(300));
    expect(await codeOf(lookupIntro(reader, erin.id, now()))).toBe('BAD_SCHEMA');

    const frank = Identity.generate();
    await publish(frank, encodeIntro(introOf(frank, { expiresAt: now() - CLOCK_SKEW_S - 60 })));
    expect(await codeOf(lookupIntro(reader, frank.id, now()))).toBe('RECORD_EXPIRED');

    expect(await codeOf(lookupIntro(reader, Identity.generate().id, now()))).toBe('NO_RECORD');
  });

  it('does not make anyone wait for a node that left: start and lookup stay well under a query timeout (2 s)', async () => {
    const leaver = await client();
    await leaver.stop();
    const t0 = Date.now();
    const newcomer = await client();
    const intro = await lookupIntro(newcomer, alice.id, now());
    expect(intro.seq).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('refuses oversized values before anything is sent', async () => {
    const writer = await client();
    const before = writer.queryCount();
    const put = writer.putMutable({ keyPair: alice.identityKey, salt: INTRO_SALT, value: randomBytes(997), seq: 5 });
    await expect(put).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
    await expect(publishIntro(writer, alice, { ...options('127.0.0.1:1'), relay: randomBytes(MAX_RELAY_BYTES + 1) }, 5)).rejects.toMatchObject({
      code: 'BAD_SCHEMA',
    });
    expect(writer.queryCount()).toBe(before);
    // Still Alice's genuine record.
    const reader = await client();
    const { record } = await reader.getMutable(alice.identityKey.publicKey, INTRO_SALT);
    expect(verifyIntro(alice.id, record!, now()).seq).toBe(2);
  });

  it('never goes back to an older record than one already seen for that person (a replayed copy is refused)', async () => {
    const carol = Identity.generate();
    // Another closed network holds an old, validly signed copy of Carol's record, as a replaying DHT would.
    const elsewhere = await startTestnet({ dhtNodes: 3 });
    try {
      const fresh = await client();
      await publishIntro(fresh, carol, options('127.0.0.201:4001'), 10);
      const stale = new DhtNode({ bootstrap: elsewhere.bootstrap, host: `127.0.0.${hostByte++}`, loopbackOnly: true });
      await stale.start();
      started.push(stale);
      await publishIntro(stale, carol, options('127.0.0.202:4002'), 3);

      const seqs = new IntroSeqs();
      const reader = await client();
      expect((await lookupIntro(reader, carol.id, now(), seqs)).seq).toBe(10);
      expect(await codeOf(lookupIntro(stale, carol.id, now(), seqs))).toBe('OLDER_RECORD');
      // The same seq again, or a newer one, is fine.
      expect((await lookupIntro(reader, carol.id, now(), seqs)).endpoint).toBe('127.0.0.201:4001');
      // By default each DHT client remembers what it saw.
      expect((await lookupIntro(reader, carol.id, now())).seq).toBe(10);
      expect((await lookupIntro(stale, carol.id, now())).seq).toBe(3); // a client that never saw seq 10
    } finally {
      await elsewhere.stop();
    }
  });
});
