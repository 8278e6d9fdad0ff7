import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browsers.js';
import { apiWorld, type Person } from '../api/helpers.js';
import { publicKeyOf, parseId } from '../../src/identity/index.js';
import { observed } from './scenarios.js';

/**
 * Issue 13 §8 in the web UI (Debian chromium): the route receipt of a first message between relayed
 * people says how Bob's reach was found and where that lookup left from, and that the message went
 * around Alice's relay; the sidebar names the relay her DHT traffic leaves through. What the page
 * says is checked against what the relays saw.
 */
describe('the receipt dialog and the privacy summary say how the DHT traffic went', () => {
  const seen = observed(() => apiWorld({ relays: 2 }));
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  beforeAll(async () => {
    alice = await seen.w.person('alice', 0); // guard relay 0; exit and mailbox home relay 1
    bob = await seen.w.person('bob', 1); // guard relay 1; his mailbox on relay 0
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('names the exit of the lookup, the intro record of a first contact and the detour, each as the relays saw it', async () => {
    const { w, obs } = seen;
    const aliceId = (await alice.client.onboard({ mode: 'incognito', name: 'Alice' })).me!.id;
    const bobId = (await bob.client.onboard({ mode: 'incognito', name: 'Bob' })).me!.id;
    await alice.client.addContact({ id: bobId, name: 'Bob' });
    await bob.client.addContact({ id: aliceId, name: 'Alice' });
    const m = await alice.client.send(bobId, 'first words');
    await expect.poll(async () => (await alice.client.messages(bobId)).find((x) => x.id === m.id)?.state, { timeout: 30_000 }).toBe('delivered');
    const [guard, exit] = [w.net.relays[0]!, w.net.relays[1]!];
    const exitAt = `${exit.host}:${exit.port}`;

    const page = await (await browser.newContext()).newPage();
    await page.goto(alice.api.openUrl);
    expect(await page.getByRole('note').filter({ hasText: 'DHT traffic' }).textContent()).toContain(`leaves through relay ${exitAt}`);
    await page.getByRole('button', { name: 'Bob' }).click();
    await page
      .getByRole('button', { name: /Route: 2 relays/ })
      .first()
      .click();
    const text = (await page.getByRole('dialog', { name: 'Route receipt' }).textContent())!;
    expect(text).toContain(`Bob's reach came from their intro record (a first contact: it names them), looked up through relay ${exitAt}`);
    expect(text).toContain(`Bob's mailbox is on your relay too: the message went around it through relay ${exitAt}`);
    expect(text).not.toContain('Warning:');

    // As the relays saw it: the exit was asked for Bob's intro record through Alice's relay, and
    // Alice's relay got the message for Bob's mailbox from the exit's address, never from hers.
    const bobKey = publicKeyOf(parseId(bobId));
    const exitFrames = obs.relays.find((r) => r.host === exit.host)!.frames;
    const asked = exitFrames.filter((s) => s.dir === 'in' && s.frame.t === 'dht-get' && keyOf(s.frame).equals(bobKey));
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked.map((s) => s.source))).toEqual(new Set([guard.host]));
    const sends = obs.relays.find((r) => r.host === guard.host)!.frames.filter((s) => s.dir === 'in' && s.frame.t === 'send');
    expect(sends.length).toBeGreaterThan(0);
    expect(new Set(sends.map((s) => s.source))).toEqual(new Set([exit.host]));
  });
});

function keyOf(frame: unknown): Buffer {
  const k = (frame as { key: unknown }).key;
  return Buffer.isBuffer(k) ? k : Buffer.from(String(k), 'base64');
}
