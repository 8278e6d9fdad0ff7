import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from '../../src/identity/index.js';
import { blobIdFor, mailboxIdFor, RelayError } from '../../src/relay/index.js';
import { until } from '../helpers/until.js';
import { cleanup, clientOf, nextMail, startRelay } from './helpers.js';

const RELAY = '127.0.0.41';
const ALICE = '127.0.0.42';
const BOB = '127.0.0.43';
const MALLORY = '127.0.0.44';
const DAY = 24 * 60 * 60 * 1000;

afterEach(cleanup);

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (RelayError.is(e) ? e.code : String(e)),
  );

describe('relay mailboxes', () => {
  it('forwards mail live to the connected owner', async () => {
    const relay = await startRelay(RELAY);
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const secret = randomBytes(32);
    const mailbox = await alice.registerMailbox(secret);
    expect(mailbox).toBe(mailboxIdFor(secret));
    const arrived = nextMail(alice);
    await bob.send(mailbox, Buffer.from('hello alice'));
    const mail = await arrived;
    expect(mail.mailboxId).toBe(mailbox);
    expect(mail.bytes.toString()).toBe('hello alice');
    expect(await alice.ack(mailbox, [mail.itemId])).toBe(1);
    expect(relay.metrics().stored.items).toBe(0);
  });

  it('stores mail for an offline owner until fetched and acknowledged, across reconnects', async () => {
    const relay = await startRelay(RELAY);
    const secret = randomBytes(32);
    const first = await clientOf(relay, ALICE);
    const mailbox = await first.registerMailbox(secret);
    await first.close();
    const bob = await clientOf(relay, BOB);
    for (const text of ['one', 'two', 'three']) await bob.send(mailbox, Buffer.from(text));
    expect(relay.metrics().stored).toMatchObject({ items: 3, bytes: 11 });

    const alice = await clientOf(relay, ALICE); // a new connection with a new Noise key
    expect(await alice.registerMailbox(secret)).toBe(mailbox);
    const items = await alice.fetch(mailbox);
    expect(items.map((i) => i.bytes.toString())).toEqual(['one', 'two', 'three']);
    expect(await alice.ack(mailbox, [items[0]!.itemId, items[1]!.itemId])).toBe(2);
    expect((await alice.fetch(mailbox)).map((i) => i.bytes.toString())).toEqual(['three']);
    expect(relay.metrics().stored).toMatchObject({ items: 1, bytes: 5 });
    expect(await alice.ack(mailbox, [items[0]!.itemId])).toBe(0); // already gone
  });

  it('fetches a full mailbox in pages, oldest first', async () => {
    const relay = await startRelay(RELAY, { limits: { fetchItems: 4 } });
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const mailbox = await alice.registerMailbox(randomBytes(32));
    for (let i = 0; i < 10; i++) await bob.send(mailbox, Buffer.from(`m${i}`));
    const items = await alice.fetch(mailbox);
    expect(items.map((i) => i.bytes.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('forgets mail whose time to live has passed (injected clock)', async () => {
    let now = Date.UTC(2030, 0, 1);
    const relay = await startRelay(RELAY, { now: () => now });
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const mailbox = await alice.registerMailbox(randomBytes(32));
    await bob.send(mailbox, Buffer.from('old news'));
    now += 6 * DAY;
    await bob.send(mailbox, Buffer.from('recent'));
    now += DAY + 1;
    expect((await alice.fetch(mailbox)).map((i) => i.bytes.toString())).toEqual(['recent']);
    expect(relay.metrics().stored.items).toBe(1);
    expect(relay.metrics().drops.ITEM_EXPIRED).toBe(1);
  });

  it('forgets a mailbox nobody ever read a day after its owner left, and keeps one that was read', async () => {
    let now = Date.UTC(2030, 0, 1);
    const relay = await startRelay(RELAY, { now: () => now, sweepIntervalMs: 20 });
    const alice = await clientOf(relay, ALICE);
    const mallory = await clientOf(relay, MALLORY);
    const secret = randomBytes(32);
    const read = await alice.registerMailbox(secret);
    await alice.fetch(read);
    const unread = await mallory.registerMailbox(randomBytes(32));
    await Promise.all([alice.close(), mallory.close()]);
    const bob = await clientOf(relay, BOB);
    await bob.send(unread, Buffer.from('into the void'));
    await bob.send(read, Buffer.from('for alice'));

    now += DAY + 1;
    await until(() => relay.metrics().stored.mailboxes === 1, 'the relay to hold the mailbox');
    expect(await codeOf(bob.send(unread, Buffer.from('again')))).toBe('UNKNOWN_MAILBOX');
    await bob.send(read, Buffer.from('still for alice'));
    expect(relay.metrics().drops.MAILBOX_EXPIRED).toBe(1);
    const back = await clientOf(relay, ALICE);
    await back.registerMailbox(secret);
    expect((await back.fetch(read)).map((i) => i.bytes.toString())).toEqual(['for alice', 'still for alice']);
  });

  it('lets only the holder of the secret fetch or acknowledge', async () => {
    const relay = await startRelay(RELAY);
    const alice = await clientOf(relay, ALICE);
    const mallory = await clientOf(relay, MALLORY);
    const mailbox = await alice.registerMailbox(randomBytes(32));
    await mallory.send(mailbox, Buffer.from('anyone may send'));
    expect(await codeOf(mallory.fetch(mailbox))).toBe('NOT_OWNER');
    expect(await codeOf(mallory.ack(mailbox, [1]))).toBe('NOT_OWNER');
    expect(await mallory.registerMailbox(randomBytes(32))).not.toBe(mailbox);
    expect(await codeOf(mallory.fetch(mailbox))).toBe('NOT_OWNER');
    expect((await alice.fetch(mailbox)).map((i) => i.bytes.toString())).toEqual(['anyone may send']);
    expect(await codeOf(mallory.send(mailboxIdFor(randomBytes(32)), Buffer.from('x')))).toBe('UNKNOWN_MAILBOX');
  });

  it('answers over-quota requests with a clear code, counted, and keeps serving', async () => {
    const relay = await startRelay(RELAY, { limits: { mailboxItems: 3, mailboxBytes: 1000, mailItemBytes: 600, mailboxesPerConnection: 2 } });
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const mailbox = await alice.registerMailbox(randomBytes(32));
    for (let i = 0; i < 3; i++) await bob.send(mailbox, Buffer.from('x'));
    expect(await codeOf(bob.send(mailbox, Buffer.from('x')))).toBe('MAILBOX_FULL');
    expect(await codeOf(bob.send(mailbox, Buffer.alloc(700)))).toBe('TOO_LARGE');
    const items = await alice.fetch(mailbox);
    await alice.ack(
      mailbox,
      items.map((i) => i.itemId),
    );
    await bob.send(mailbox, Buffer.alloc(600));
    expect(await codeOf(bob.send(mailbox, Buffer.alloc(500)))).toBe('MAILBOX_FULL'); // bytes quota
    await alice.registerMailbox(randomBytes(32));
    expect(await codeOf(alice.registerMailbox(randomBytes(32)))).toBe('TOO_MANY_MAILBOXES');
    expect(relay.metrics().errors).toMatchObject({ MAILBOX_FULL: 2, TOO_LARGE: 1, TOO_MANY_MAILBOXES: 1 });
    expect(relay.metrics().drops).toMatchObject({ MAILBOX_FULL: 2 });
  });

  it('refuses new mail when the relay-wide storage budget is spent', async () => {
    const relay = await startRelay(RELAY, { limits: { storedBytes: 100, itemOverheadBytes: 0 } }); // bytes alone, to count them here
    const alice = await clientOf(relay, ALICE);
    const mailbox = await alice.registerMailbox(randomBytes(32));
    await alice.send(mailbox, Buffer.alloc(80));
    expect(await codeOf(alice.send(mailbox, Buffer.alloc(30)))).toBe('RELAY_FULL');
    expect(await codeOf(alice.putBlob(randomBytes(32), Buffer.alloc(30)))).toBe('RELAY_FULL');
  });
});

describe('relay blobs', () => {
  it('stores a blob its writer can replace and anyone can read', async () => {
    const relay = await startRelay(RELAY);
    const alice = await clientOf(relay, ALICE);
    const bob = await clientOf(relay, BOB);
    const secret = randomBytes(32);
    const bundle = randomBytes(2500);
    const blobId = await alice.putBlob(secret, bundle);
    expect(blobId).toBe(blobIdFor(secret));
    expect(await bob.getBlob(blobId)).toEqual(bundle);
    await alice.putBlob(secret, Buffer.from('v2'));
    expect((await bob.getBlob(blobId))?.toString()).toBe('v2');
    expect(await bob.getBlob(blobIdFor(randomBytes(32)))).toBeNull();
    expect(relay.metrics().stored).toMatchObject({ blobs: 1, blobBytes: 2 });
  });

  it('caps blob size (8 KiB on the wire, less if the relay says so) and expires blobs', async () => {
    let now = Date.UTC(2030, 0, 1);
    const relay = await startRelay(RELAY, { now: () => now, limits: { blobBytes: 4096 } });
    const alice = await clientOf(relay, ALICE);
    expect(await codeOf(alice.putBlob(randomBytes(32), Buffer.alloc(9000)))).toBe('TOO_LARGE');
    expect(await codeOf(alice.putBlob(randomBytes(32), Buffer.alloc(5000)))).toBe('TOO_LARGE');
    const blobId = await alice.putBlob(randomBytes(32), Buffer.alloc(4096, 1));
    expect((await alice.getBlob(blobId))?.length).toBe(4096);
    now += 7 * DAY + 1;
    expect(await alice.getBlob(blobId)).toBeNull();
    await until(
      () => relay.metrics().stored.blobs === 0,
      () => `the relay to hold no blobs (holds ${relay.metrics().stored.blobs})`,
    );
  });
});
