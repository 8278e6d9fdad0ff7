import type { Logger } from 'pino';
import { E2EError, type E2E, type Encrypted, type Then } from '../e2e/index.js';
import { contentCodec, type Content } from '../wire/content.js';
import { describeError } from '../wire/errors.js';
import {
  getContact,
  insertMessage,
  upsertContact,
  dequeue,
  setMessageState,
  getMessage,
  setKv,
  lastArrivedSeq,
  type ContactRow,
  type Db,
  type MessageRow,
} from '../store/index.js';
import type { Envelope } from '../wire/peer-frames.js';
import type { z } from 'zod';
import type { PeerConn, Peers } from './peers.js';
import type { Router } from './router.js';
import { DIRECT_RECEIPT } from '../routing/receipt.js';
import { mailboxReceipt } from '../routing/policy.js';
import type { FileInbox } from './files-receive.js';

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
  /** File transfer contents go here (files-receive.ts). */
  files: FileInbox;
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
  // (An unknown sender's claim proves nothing yet: once it decrypts, a stranger without "reachable
  // directly by strangers" is refused below, before anything of theirs is stored.)
  if (source.conn && known && !c.peers.mayConnect(frame.from)) return source.conn.close('NOT_DIRECT');
  const strangerRefused = !!source.conn && !known && !c.peers.mayConnect(frame.from);
  // Decided and written inside the decryption's transaction: the ratchet step, what the content
  // asks to store and (for a text over a live link) the receipt's encryption commit together.
  let handled: Handled = {};
  let reply: Encrypted | null = null;
  try {
    ({ reply } = await c.e2e.decrypt(frame.from, frame.kind, frame.body, frame.bind, (plaintext) => {
      let content: Content;
      try {
        content = contentCodec.decode(plaintext);
      } catch {
        throw E2EError.DECRYPT_FAILED('unreadable content');
      }
      if (strangerRefused) return {}; // nothing stored, no receipt: the link closes below
      handled = handle(c, frame.from, known, content, source);
      return handled.then ?? {};
    }));
  } catch (err) {
    // Either way nothing of it was stored (not even the ratchet step) and no receipt went out, so the
    // sender, which keeps it until a receipt comes, sends it again.
    if (E2EError.is(err)) c.logger.info({ err: describeError(err) }, 'dropped an envelope that did not decrypt');
    else c.logger.warn({ err: describeError(err) }, 'could not store an envelope; the sender will send it again');
    return;
  }
  if (source.conn && !c.peers.bind(frame.from, source.conn)) return;
  handled.after?.(reply);
}

interface Handled {
  then?: Then;
  /** After the commit: events, and the receipt (`reply`, when it was encrypted in the transaction). */
  after?: (reply: Encrypted | null) => void;
}

function handle(c: ReceiverComponents, from: string, known: ContactRow | undefined, content: Content, source: Source): Handled {
  switch (content.t) {
    case 'receipt': {
      const changed: string[] = [];
      const write = () => {
        for (const id of content.ids) {
          const row = getMessage(c.db, id);
          if (!row || row.contact_id !== from || row.direction !== 'out') continue;
          const was = dequeue(c.db, id);
          if (!was && row.state === 'delivered') continue;
          setMessageState(c.db, id, 'delivered');
          changed.push(id);
        }
      };
      // A receipt's bookkeeping is recovered by a repeat if a power cut loses it: no fsync.
      return { then: { write, relaxed: true }, after: () => changed.forEach((id) => c.onDelivered(getMessage(c.db, id)!)) };
    }
    case 'reach':
      return { then: { write: () => setKv(c.db, `reach.${from}`, content.endpoint && content.transportKey ? JSON.stringify(content) : '') } };
    case 'text': {
      // Conversation order: a message whose predecessor has not been stored yet (it failed to store,
      // or is still on its way) waits, unacknowledged. The sender resends everything unacknowledged
      // in order, so the gap fills first. Only after a first stored message, so a conversation whose
      // start was declined (deleted) is not held up for ever.
      const last = lastArrivedSeq(c.db, from);
      if (last > 0 && content.n > last + 1) {
        c.logger.info({ gap: content.n - last - 1 }, 'held back a message that arrived before an earlier one');
        return {};
      }
      let fresh = false;
      const write = () => {
        if (!known) upsertContact(c.db, from, 'request', c.now());
        fresh = insertMessage(c.db, {
          id: content.id,
          contactId: from,
          direction: 'in',
          convSeq: content.n,
          body: content.body,
          sentAt: content.at,
          receivedAt: c.now(),
          state: 'received',
          // My half of the way is what I observed; the sender's half, what they stated inside the message.
          route: JSON.stringify(source.conn ? DIRECT_RECEIPT : mailboxReceipt(content.via)),
        });
      };
      const receipt: Content = { v: 1, t: 'receipt', ids: [content.id] };
      const live = source.conn && !source.conn.closeReason;
      return {
        then: { write, ...(live ? { reply: contentCodec.encode(receipt) } : {}) },
        after: (reply) => {
          if (fresh) c.onMessage(getMessage(c.db, content.id)!);
          if (reply && source.conn && !source.conn.closeReason && c.router.sendEncrypted(source.conn, reply)) return;
          void sendReceipt(c, source, from, [content.id]);
        },
      };
    }
    case 'file':
    case 'file-chunk':
    case 'file-ack':
    case 'file-cancel':
      return c.files.handle(from, known, content);
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
