import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { randomBytes } from '../../src/identity/index.js';
import { mailboxIdFor } from '../../src/relay/index.js';
import { capturingLogger } from '../helpers/log-capture.js';
import { cleanup, clientOf, nextHops, nextMail, startRelay, track } from './helpers.js';

const RELAY1 = '127.0.0.61';
const ALICE = '127.0.0.62';
const BOB = '127.0.0.63';
const RELAY2 = '127.0.0.64';
const CAROL = '127.0.0.65';
const STRANGER = '127.0.0.66';

afterEach(cleanup);

describe('relay hygiene', () => {
  it('logs and metrics hold no address, no id, no key and no content', async () => {
    const log1 = capturingLogger();
    const log2 = capturingLogger();
    const relay2 = await startRelay(RELAY2, { logger: log2.logger });
    const relay1 = await startRelay(RELAY1, { logger: log1.logger, metricsPort: 0, ...nextHops(relay2) });
    const payload = 'top secret payload 4711';
    const secret = randomBytes(32);
    const mailbox = mailboxIdFor(secret);

    const alice = await clientOf(relay1, ALICE);
    const bob = await clientOf(relay1, BOB);
    expect(await alice.registerMailbox(secret)).toBe(mailbox);
    const arrived = nextMail(alice);
    await bob.send(mailbox, Buffer.from(payload));
    const mail = await arrived;
    await alice.ack(mailbox, [mail.itemId]);
    const blob = await alice.putBlob(randomBytes(32), Buffer.from(payload));
    await bob.getBlob(blob);
    await bob.fetch(mailbox).catch(() => {}); // refused: not the owner

    const carol = await clientOf(relay1, CAROL);
    const far = track(await carol.openCircuit(RELAY2, relay2.address().port, relay2.publicKey));
    const farBox = await far.registerMailbox(randomBytes(32));
    await far.send(farBox, Buffer.from(payload));
    await far.close();

    const stranger = connect({ ...relay1.address(), localAddress: STRANGER });
    stranger.on('error', () => {});
    stranger.end(randomBytes(300));
    await new Promise((r) => stranger.once('close', r));

    const { port } = relay1.metricsAddress()!;
    const prometheus = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(prometheus).toContain('parley_relay_frames_in_total{type="send"} 1');
    expect(prometheus).toMatch(/parley_relay_disconnects_total\{reason="[A-Z_]+"\} 1/);

    await cleanup();
    const logs = log1.lines.join('') + log2.lines.join('');
    expect(log1.lines.length).toBeGreaterThan(3); // it does log: reasons and counters
    expect(logs).toContain('relay connection closed');
    for (const text of [logs, prometheus]) {
      expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/); // no IPv4 address at all
      expect(text).not.toMatch(/[A-Za-z0-9+/]{43}=/); // no 32-byte id or key in base64
      expect(text).not.toMatch(/[0-9a-f]{64}/i); // ... nor in hex
      for (const forbidden of [mailbox, farBox, blob, payload, Buffer.from(payload).toString('base64'), secret.toString('base64')]) {
        expect(text).not.toContain(forbidden);
      }
    }
    expect(relay1.metrics().stored).toEqual({ mailboxes: 0, items: 0, bytes: 0, blobs: 0, blobBytes: 0 }); // stop() forgets everything
  });
});
