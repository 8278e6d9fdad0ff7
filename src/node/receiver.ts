import type { Logger } from 'pino';
import type { E2E } from '../e2e/index.js';
import { contentCodec, type Content } from '../wire/content.js';
import { describeError } from '../wire/errors.js';
import { toB64 } from '../wire/bytes.js';
import { getContact, insertMessage, upsertContact, dequeue, setMessageState, getMessage, type Db, type MessageRow } from '../store/index.js';
import type { Envelope } from '../wire/peer-frames.js';
import type { z } from 'zod';
import type { PeerConn, Peers } from './peers.js';
import type { RouteReceipt } from '../routing/receipt.js';

export interface ReceiverComponents {
  db: Db;
  e2e: E2E;
  peers: Peers;
  selfId: string;
  logger: Logger;
  now: () => number;
  onMessage: (m: MessageRow) => void;
  onDelivered: (m: MessageRow) => void;
  /** The route a message on this connection took, as this side observed it. */
  routeOf: (conn: PeerConn) => RouteReceipt;
}

type EnvelopeFrame = z.output<typeof Envelope>;

/**
 * Handles one end-to-end envelope: decrypt (the sender is proven by their Signal session, and on
 * first contact by the binding of their Signal key to their ID), store once, answer with a receipt.
 */
export async function receiveEnvelope(c: ReceiverComponents, conn: PeerConn, frame: EnvelopeFrame): Promise<void> {
  if (frame.from === c.selfId) return;
  const known = getContact(c.db, frame.from);
  if (known?.state === 'blocked') return;
  let content: Content;
  try {
    const { plaintext } = await c.e2e.decrypt(frame.from, frame.kind, frame.body, frame.bind);
    content = contentCodec.decode(plaintext);
  } catch (err) {
    c.logger.info({ err: describeError(err) }, 'dropped an envelope that did not decrypt');
    return;
  }
  c.peers.bind(frame.from, conn);
  if (content.t === 'receipt') {
    for (const id of content.ids) {
      const row = getMessage(c.db, id);
      if (!row || row.contact_id !== frame.from || row.direction !== 'out') continue;
      if (dequeue(c.db, id) || row.state !== 'delivered') {
        setMessageState(c.db, id, 'delivered');
        c.onDelivered(getMessage(c.db, id)!);
      }
    }
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
    route: JSON.stringify(c.routeOf(conn)),
  });
  if (fresh) c.onMessage(getMessage(c.db, content.id)!);
  await sendReceipt(c, conn, frame.from, [content.id]);
}

async function sendReceipt(c: ReceiverComponents, conn: PeerConn, to: string, ids: string[]): Promise<void> {
  try {
    const receipt = contentCodec.encode({ v: 1, t: 'receipt', ids });
    const env = await c.e2e.encrypt(to, receipt);
    conn.send({ v: 1, t: 'env', from: c.selfId, kind: env.kind, body: toB64(env.body) });
  } catch (err) {
    // The sender retries until a receipt arrives; the duplicate then earns a fresh receipt.
    c.logger.info({ err: describeError(err) }, 'could not send a receipt');
  }
}
