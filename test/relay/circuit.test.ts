import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from '../../src/identity/index.js';
import { isPublicAddress, RelayError } from '../../src/relay/index.js';
import { cleanup, closed, clientOf, nextHops, nextMail, startRelay, track } from './helpers.js';
import { until } from '../helpers/until.js';

const CLIENT = '127.0.0.31';
const RELAY1 = '127.0.0.32';
const RELAY2 = '127.0.0.33';
const SENDER = '127.0.0.34';
const RELAY3 = '127.0.0.35';

afterEach(cleanup);

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (RelayError.is(e) ? e.code : String(e)),
  );

describe('relay circuits', () => {
  it('reaches a second relay through the first: relay 2 never sees the client, relay 1 never sees the mailbox', async () => {
    const relay2 = await startRelay(RELAY2);
    const relay1 = await startRelay(RELAY1, nextHops(relay2));
    const seenBy1 = relay1.forTest().observeRemotes();
    const seenBy2 = relay2.forTest().observeRemotes();

    const client = await clientOf(relay1, CLIENT);
    const far = track(await client.openCircuit(relay2.address().host, relay2.address().port, relay2.publicKey));
    const secret = randomBytes(32);
    const mailbox = await far.registerMailbox(secret);

    const sender = await clientOf(relay2, SENDER);
    const arrived = nextMail(far);
    await sender.send(mailbox, Buffer.from('through the circuit'));
    expect((await arrived).bytes.toString()).toBe('through the circuit');
    const blobId = await far.putBlob(randomBytes(32), Buffer.from('bundle'));
    expect((await sender.getBlob(blobId))?.toString()).toBe('bundle');

    expect(seenBy2).toContain(RELAY1);
    expect(seenBy2).toContain(SENDER);
    expect(seenBy2).not.toContain(CLIENT);
    expect(seenBy1).toEqual([CLIENT]);
    const m1 = relay1.metrics();
    expect(Object.keys(m1.framesIn).sort()).toEqual(['circuit-data', 'circuit-open']);
    expect(m1.stored).toMatchObject({ mailboxes: 0, items: 0, blobs: 0 });
    expect(m1.circuits).toEqual({ opened: 1, open: 1 });
    expect(relay2.metrics().stored.mailboxes).toBe(1);

    await far.close();
    await until(() => relay1.metrics().circuits.open === 0, 'the first relay to close the circuit');
    expect(client.connected).toBe(true); // closing a circuit leaves the outer connection up
  });

  it('closes circuits when the outer connection goes, and the inner client says so', async () => {
    const relay2 = await startRelay(RELAY2);
    const relay1 = await startRelay(RELAY1, nextHops(relay2));
    const client = await clientOf(relay1, CLIENT);
    const far = track(await client.openCircuit(RELAY2, relay2.address().port, relay2.publicKey));
    const farClosed = closed(far);
    await client.close();
    expect(await farClosed).toBe('CLOSED'); // the inner client says why it closed
    expect(await codeOf(far.registerMailbox(randomBytes(32)))).toBe('CLOSED');
    await until(
      () => relay1.metrics().circuits.open === 0 && relay2.metrics().connections.open === 0,
      'no circuit open on the first relay and no connection on the second',
    );
  });

  it('is never an open proxy: leads only to relays it knows, at the address and key it knows', async () => {
    const relay2 = await startRelay(RELAY2);
    const relay3 = await startRelay(RELAY3);
    const relay1 = await startRelay(RELAY1, nextHops(relay2));
    const client = await clientOf(relay1, CLIENT);
    expect(await codeOf(client.openCircuit(RELAY3, relay3.address().port, relay3.publicKey))).toBe('CIRCUIT_REFUSED');
    expect(await codeOf(client.openCircuit(RELAY2, relay2.address().port, relay3.publicKey))).toBe('CIRCUIT_REFUSED');
    expect(await codeOf(client.openCircuit(RELAY2, relay2.address().port, randomBytes(32)))).toBe('CIRCUIT_REFUSED');
    expect(await codeOf(client.openCircuit('192.0.2.1', 443, relay3.publicKey))).toBe('CIRCUIT_REFUSED');
    expect(relay3.metrics().connections.accepted).toBe(0);
    expect(relay2.metrics().connections.accepted).toBe(0);
    const far = track(await client.openCircuit(RELAY2, relay2.address().port, relay2.publicKey));
    expect(far.connected).toBe(true);
    expect(relay1.metrics().errors.CIRCUIT_REFUSED).toBe(4);
    expect(client.connected).toBe(true);
  });

  it('refuses a next hop on loopback or a private network unless started for a local test network', async () => {
    const relay2 = await startRelay(RELAY2);
    const relay1 = await startRelay(RELAY1, { relays: nextHops(relay2).relays! });
    const client = await clientOf(relay1, CLIENT);
    expect(await codeOf(client.openCircuit(RELAY2, relay2.address().port, relay2.publicKey))).toBe('CIRCUIT_REFUSED');
    expect(await codeOf(client.openCircuitStream('10.1.2.3', 7000, relay2.publicKey))).toBe('CIRCUIT_REFUSED');
    expect(relay2.metrics().connections.accepted).toBe(0);
    expect(client.connected).toBe(true);
  });

  it('tells public addresses from loopback, link-local and private ones', () => {
    for (const host of ['198.51.100.2', '8.8.8.8', '2001:db8::1', '2a00:1450::1']) expect(isPublicAddress(host), host).toBe(true);
    const inside = [
      '127.0.0.1',
      '127.9.9.9',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
    ];
    const inside6 = ['::1', '::', 'fe80::1', 'fd00::1', 'fc00::2', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip'];
    for (const host of [...inside, ...inside6]) expect(isPublicAddress(host), host).toBe(false);
  });

  it('reports a known relay that does not answer, and keeps the connection', async () => {
    const gone = await startRelay(RELAY3);
    const relay1 = await startRelay(RELAY1, nextHops(gone));
    const client = await clientOf(relay1, CLIENT);
    const { port } = gone.address();
    await gone.stop();
    expect(await codeOf(client.openCircuitStream(RELAY3, port, gone.publicKey))).toBe('CIRCUIT_FAILED');
    expect(client.connected).toBe(true);
  });

  it('carries the largest mail item through a circuit', async () => {
    const relay2 = await startRelay(RELAY2);
    const relay1 = await startRelay(RELAY1, nextHops(relay2));
    const client = await clientOf(relay1, CLIENT);
    const far = track(await client.openCircuit(RELAY2, relay2.address().port, relay2.publicKey));
    const mailbox = await far.registerMailbox(randomBytes(32));
    const big = randomBytes(46 * 1024);
    const arrived = nextMail(far);
    await far.send(mailbox, big);
    expect((await arrived).bytes.equals(big)).toBe(true);
  });
});
