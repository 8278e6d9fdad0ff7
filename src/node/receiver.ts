import type { Logger } from 'pino';
import { E2EError, type E2E, type Encrypted, type Then } from '../e2e/index.js';
import { contentCodec, type CandidatesContent, type Content } from '../wire/content.js';
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
  deletedInFloor,
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
import { acceptTheirHalf } from './rendezvous-secrets.js';
import { deleteEntry, textExtras, timerEntry, type Ordered } from './receive-messaging.js';
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
  /** Their half of our rendezvous secret was stored; `needMine`: they should get mine (again). */
  onRendezvous?: (from: string, needMine: boolean) => void;
  /** Hole-punching candidates from a contact (src/node/punch.ts decides whether to answer). */
  onCandidates?: (from: string, content: CandidatesContent) => void;
  /** A message changed in place (deleted for everyone by its sender). */
  onUpdated: (m: MessageRow) => void;
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
          // A deleted message's entry now carries the delete: only its own receipt ends it.
          if ((row.kind === 'deleted') !== (content.of === 'delete')) continue;
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
    case 'rendezvous': {
      let needMine = false;
      const write = () => void (needMine = acceptTheirHalf(c.db, from, content.mine, content.have));
      return { then: { write }, after: () => c.onRendezvous?.(from, needMine) };
    }
    case 'candidates':
      return { after: () => c.onCandidates?.(from, content) };
    case 'text':
    case 'timer':
    case 'delete': {
      // Conversation order: a message whose predecessor has not been stored yet (it failed to store,
      // or is still on its way) waits, unacknowledged. The sender resends everything unacknowledged
      // in order, so the gap fills first. Only after a first stored message, so a conversation whose
      // start was declined (deleted) is not held up for ever. `prev` names the predecessor when the
      // sender cancelled one (it never comes).
      const last = lastArrivedSeq(c.db, from);
      const before = content.prev ?? content.n - 1;
      if (last > 0 && before > last) {
        c.logger.info({ gap: before - last }, 'held back a message that arrived before an earlier one');
        return {};
      }
      // A message at or below a deleted one's place that is not here was deleted here (a resend that
      // crossed the receipt, or a delete of what is gone): acknowledged, never stored again.
      const deletedHere = content.n <= deletedInFloor(c.db, from) && !getMessage(c.db, content.id);
      const entry = deletedHere ? { write: () => {}, after: () => {} } : entryOf(c, from, known, content, source);
      const receipt: Content = { v: 1, t: 'receipt', ids: [content.id], ...(content.t === 'delete' ? { of: 'delete' as const } : {}) };
      const live = source.conn && !source.conn.closeReason;
      return {
        then: { write: entry.write, ...(live ? { reply: contentCodec.encode(receipt) } : {}) },
        after: (reply) => {
          entry.after();
          if (reply && source.conn && !source.conn.closeReason && c.router.sendEncrypted(source.conn, reply)) return;
          void sendReceipt(c, source, from, receipt);
        },
      };
    }
    case 'file':
    case 'file-ack':
    case 'file-cancel':
    case 'file-delete':
      return c.files.handle(from, known, content);
  }
}

/** What storing an ordered content does: the write (in the decryption's transaction), then its events. */
function entryOf(
  c: ReceiverComponents,
  from: string,
  known: ContactRow | undefined,
  content: Ordered,
  source: Source,
): { write: () => void; after: () => void } {
  if (content.t === 'delete') return deleteEntry(c, from, known, content);
  if (content.t === 'timer') return timerEntry(c, from, known, content);
  let fresh = false;
  return {
    write: () => {
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
        ...textExtras(c, from, known, content),
      });
    },
    after: () => {
      if (fresh) c.onMessage(getMessage(c.db, content.id)!);
    },
  };
}

async function sendReceipt(c: ReceiverComponents, source: Source, to: string, receipt: Content): Promise<void> {
  try {
    if (source.conn && !source.conn.closeReason) await c.router.reply(source.conn, to, receipt);
    else await c.router.send(to, [receipt]);
  } catch (err) {
    // The sender retries until a receipt arrives; the duplicate then earns a fresh receipt.
    c.logger.info({ err: describeError(err) }, 'could not send a receipt');
  }
}
