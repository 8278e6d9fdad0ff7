import type { Logger } from 'pino';
import type { Identity } from '../identity/index.js';
import type { E2E } from '../e2e/index.js';
import type { MailItem } from '../relay/index.js';
import { peerCodec, type PeerFrame } from '../wire/peer-frames.js';
import { describeError } from '../wire/errors.js';
import type { PeerConn } from './peers.js';
import type { BundleRequests } from './bundle-requests.js';
import type { MyRelay } from './my-relay.js';
import { receiveEnvelope, type ReceiverComponents } from './receiver.js';

/** Bundle requests one connection may make: each mints one-time prekeys, so they are rationed. */
const BUNDLES_PER_CONNECTION = 4;

export interface InboundComponents {
  identity: Identity;
  e2e: E2E;
  bundles: BundleRequests;
  logger: Logger;
  /** The relay whose mailbox delivers to us (acks go there), if any. */
  myRelay: () => MyRelay | null;
  /** What receiving an envelope needs (built when the node has started). */
  receiver: () => ReceiverComponents;
}

/**
 * What arrives: frames on direct links (prekey bundle requests and answers, envelopes, goodbyes) and
 * items from our relay mailbox (sealed to our identity key). An envelope goes to `receiveEnvelope`; a
 * mailbox item is acknowledged only once it is dealt with, so a crash means a refetch, not a loss.
 */
export class Inbound {
  readonly #c: InboundComponents;
  readonly #bundleCounts = new WeakMap<PeerConn, number>();
  #acks: Array<Pick<MailItem, 'mailboxId' | 'itemId'>> = [];
  /** What is still being handled per link (and for my mailbox), so what comes next waits for it. */
  readonly #busy = new WeakMap<object, Promise<void>>();
  readonly #mailbox = {};

  constructor(components: InboundComponents) {
    this.#c = components;
  }

  onFrame(conn: PeerConn, frame: PeerFrame): void {
    switch (frame.t) {
      case 'bundle-req': {
        const n = (this.#bundleCounts.get(conn) ?? 0) + 1;
        this.#bundleCounts.set(conn, n);
        if (n > BUNDLES_PER_CONNECTION) return conn.close('TOO_MANY_BUNDLE_REQUESTS');
        this.#c.e2e.createBundle(false, conn.remoteHost).then(
          // one-time prekeys rationed per address
          (bundle) => conn.send({ v: 1, t: 'bundle', n: frame.n, bundle: bundle as unknown as Record<string, unknown> }),
          (err) => this.#c.logger.warn({ err: describeError(err) }, 'could not mint a prekey bundle'),
        );
        return;
      }
      case 'bundle':
        this.#c.bundles.answer(frame.n, frame.bundle);
        return;
      case 'env':
        return this.#inOrder(conn, () =>
          receiveEnvelope(this.#c.receiver(), frame, { conn }).catch((err) => this.#c.logger.warn({ err: describeError(err) }, 'envelope handling failed')),
        );
      case 'bye':
        conn.close('PEER_BYE');
        return;
      case 'file-chunk':
        return this.#inOrder(conn, () => this.#c.receiver().files.onChunk(frame, 'direct'));
    }
  }

  /**
   * Runs `step` after what came before it on the same link (or from my mailbox) was handled: a
   * file's chunks must not overtake its offer, which is still being decrypted. A chunk with nothing
   * before it runs at once.
   */
  #inOrder(from: object, step: () => unknown): void {
    const before = this.#busy.get(from);
    if (!before) {
      const r = step();
      if (!(r instanceof Promise)) return;
      return this.#track(from, r);
    }
    this.#track(
      from,
      before.then(() => step()),
    );
  }

  #track(from: object, p: Promise<unknown>): void {
    const done = p.then(
      () => {},
      () => {},
    );
    this.#busy.set(from, done);
    void done.then(() => {
      if (this.#busy.get(from) === done) this.#busy.delete(from);
    });
  }

  /** Items dealt with in one event-loop turn are acknowledged to my relay in one request. */
  #ackSoon(m: MailItem): void {
    this.#acks.push({ mailboxId: m.mailboxId, itemId: m.itemId });
    if (this.#acks.length > 1) return;
    setImmediate(() => {
      const items = this.#acks;
      this.#acks = [];
      void this.#c
        .myRelay()
        ?.ack(items)
        .catch(() => {});
    });
  }

  onMail(m: MailItem): void {
    this.#inOrder(this.#mailbox, () => this.#onMail(m));
  }

  async #onMail(m: MailItem): Promise<void> {
    // A file's chunk is sealed with its transfer's own key (cheaper than a sealed box to open).
    const chunk = this.#c.receiver().files.openMail(m.bytes);
    if (chunk) {
      this.#c.receiver().files.onChunk(chunk, 'mailbox');
      return this.#ackSoon(m); // one lost is sent again: the sender holds it until acknowledged
    }
    let frame: PeerFrame;
    try {
      const opened = this.#c.identity.identityKey.openSealed(m.bytes);
      if (!opened) throw new Error('not sealed to us');
      frame = peerCodec.decode(opened);
    } catch {
      return this.#ackSoon(m);
    }
    try {
      if (frame.t === 'env') await receiveEnvelope(this.#c.receiver(), frame, { conn: null });
      // Only once stored: a crash before this means a refetch, and a dedup. Not awaited: the next
      // item need not wait for my relay's answer.
      this.#ackSoon(m);
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'mailbox item handling failed; it stays on the relay');
    }
  }
}
