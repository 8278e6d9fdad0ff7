import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world } from '../helpers/people.js';
import { until } from '../helpers/until.js';
import { DhtNode, lookupIntro, type VerifiedIntro } from '../../src/dht/index.js';
import { parseId } from '../../src/identity/index.js';

/** How long each wait here may take. */
const WAIT_MS = 20_000;

describe('never publish an IP without consent', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let crawler: DhtNode;
  const introOf = (id: string) => lookupIntro(crawler, parseId(id), Math.floor(Date.now() / 1000)).catch(() => null);
  beforeAll(async () => {
    w = await world(6, 0); // no relay at all, as with --network mainline and no --relay
    crawler = new DhtNode({ bootstrap: w.net.bootstrap, host: '127.0.0.241', loopbackOnly: true });
    await crawler.start();
  });
  afterAll(async () => {
    await crawler.stop();
    await w.close();
  });

  it('with no relay the intro record names no address, and a relayed contact waits in the outbox saying why', async () => {
    const alice = await w.start('alice', { reachableByStrangers: false });
    const bob = await w.start('bob', { reachableByStrangers: false });
    const bobSaw = bob.forTest().observeInbound();
    let intro: VerifiedIntro | null = null;
    await until(async () => (intro = await introOf(alice.id)) !== null, "Alice's intro record", WAIT_MS);
    expect(intro!.endpoint).toBeUndefined();
    expect(intro!.transportKey).toBeUndefined();

    alice.addContact(bob.id); // relayed, the default
    bob.addContact(alice.id);
    bob.setVisibility(alice.id, 'direct'); // Bob would take a direct link: Alice's setting still rules
    const m = alice.send(bob.id, 'no relay, no downgrade');
    await until(() => alice.outbox().some((o) => o.message_id === m.id && /no relay/.test(o.last_error ?? '')), 'the outbox to say why', WAIT_MS);
    expect(alice.history(bob.id).find((x) => x.id === m.id)!.state).toBe('queued');
    expect(bobSaw).not.toContain(alice.address().host);
  });

  it('turned on, the intro record carries the direct endpoint; turned off, it is withdrawn', async () => {
    const carol = await w.start('carol', { relays: [] });
    expect(carol.reachableByStrangers()).toBe(false); // off by default
    await until(async () => (await introOf(carol.id)) !== null, "Carol's intro record", WAIT_MS);
    expect((await introOf(carol.id))!.endpoint).toBeUndefined();
    await carol.setReachableByStrangers(true);
    const { host, port } = carol.address();
    await until(async () => (await introOf(carol.id))?.endpoint === `${host}:${port}`, 'the endpoint to be published', WAIT_MS);
    await carol.setReachableByStrangers(false);
    await until(async () => (await introOf(carol.id))?.endpoint === undefined, 'the endpoint to be withdrawn', WAIT_MS);
  });
});
