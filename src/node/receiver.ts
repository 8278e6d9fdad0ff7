import type { Logger } from 'pino';
import type { E2E } from '../e2e/index.js';
import { contentCodec, type Content } from '../wire/content.js';
import { describeError } from '../wire/errors.js';
import {
  getContact, insertMessage, upsertContact, dequeue, setMessageState, getMessage, setKv, lastArrivedSeq, type Db, type MessageRow,
} from '../store/index.js';
import type { Envelope } from '../wire/peer-frames.js';
import type { z } from 'zod';
import type { PeerConn, Peers } from './peers.js';
import type { Router } from './router.js';
import { DIRECT_RECEIPT } from '../routing/receipt.js';
import { mailboxReceipt } from '../routing/policy.js';

export interface ReceiverComponents {
  db: Db;
  e2e: E2E;
  peers: Peers;
  router: Router;
  selfId: string;
  logger: Logger;
  now: () => number;
  onMessage: (m: MessageRow) => void;
  onDelivered: (m: MessageRow) => void;
}

type EnvelopeFrame = z.output<typeof Envelope>;

/** Where an envelope came from: a direct link (which a reply may reuse), or our relay mailbox (null). */
export interface Source {
  conn: PeerConn | null;
}

/**
 * Handles one end-to-end envelope: decrypt (the sender is proven by their Signal session, and on
 * first contact by the binding of their Signal key to their ID), store once, answer with a receipt.
 * Resolves once the envelope is dealt with (stored, or refused for good), so a mailbox may ack it.
 */
export async function receiveEnvelope(c: ReceiverComponents, frame: EnvelopeFrame, source: Source): Promise<void> {
  if (frame.from === c.selfId) return;
  const known = getContact(c.db, frame.from);
  if (known?.state === 'blocked') return;
  // A contact I set `relayed` gets nothing over a direct link, whatever they still know of my door.
  // (An unknown sender's claim proves nothing yet: binding refuses it once it decrypts, below.)
  if (source.conn && known && !c.peers.mayConnect(frame.from)) return source.conn.close('NOT_DIRECT');
  let content: Content;
  try {
    const { plaintext } = await c.e2e.decrypt(frame.from, frame.kind, frame.body, frame.bind);
    content = contentCodec.decode(plaintext);
  } catch (err) {
    c.logger.info({ err: describeError(err) }, 'dropped an envelope that did not decrypt');
    return;
  }
  if (source.conn && !c.peers.bind(frame.from, source.conn)) return;
  switch (content.t) {
    case 'receipt':
      for (const id of content.ids) {
        const row = getMessage(c.db, id);
        if (!row || row.contact_id !== frame.from || row.direction !== 'out') continue;
        const changed = c.db.transaction(() => {
          const was = dequeue(c.db, id);
          if (!was && row.state === 'delivered') return false;
          setMessageState(c.db, id, 'delivered');
          return true;
        })();
        if (changed) c.onDelivered(getMessage(c.db, id)!);
      }
      return;
    case 'reach':
      setKv(c.db, `reach.${frame.from}`, content.endpoint && content.transportKey ? JSON.stringify(content) : '');
      return;
    case 'text': {
      // Conversation order: a message whose predecessor has not been stored yet (it failed to store,
      // or is still on its way) waits, unacknowledged. The sender resends everything unacknowledged
      // in order, so the gap fills first. Only after a first stored message, so a conversation whose
      // start was declined (deleted) is not held up for ever.
      const last = lastArrivedSeq(c.db, frame.from);
      if (last > 0 && content.n > last + 1) {
        c.logger.info({ gap: content.n - last - 1 }, 'held back a message that arrived before an earlier one');
        return;
      }
      if (!known) upsertContact(c.db, frame.from, 'request', c.now());
      const fresh = insertMessage(c.db, {
        id: content.id,
        contactId: frame.from,
        direction: 'in',
        convSeq: content.n,
        body: content.body,
        sentAt: content.at,
        receivedAt: c.now(),
        state: 'received',
        // My half of the way is what I observed; the sender's half, what they stated inside the message.
        route: JSON.stringify(source.conn ? DIRECT_RECEIPT : mailboxReceipt(content.via)),
      });
      if (fresh) c.onMessage(getMessage(c.db, content.id)!);
      void sendReceipt(c, source, frame.from, [content.id]);
    }
  }
}

async function sendReceipt(c: ReceiverComponents, source: Source, to: string, ids: string[]): Promise<void> {
  try {
    const receipt: Content = { v: 1, t: 'receipt', ids };
    if (source.conn && !source.conn.closeReason) await c.router.reply(source.conn, to, receipt);
    else await c.router.send(to, [receipt]);
  } catch (err) {
    // The sender retries until a receipt arrives; the duplicate then earns a fresh receipt.
    c.logger.info({ err: describeError(err) }, 'could not send a receipt');
  }
}
