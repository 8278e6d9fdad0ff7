import { trustOf, trustOfAll, type Trust } from '../e2e/index.js';
import {
  getMessage,
  history,
  lastMessages,
  listOutbox,
  newestRoutes,
  outboxFor,
  unreadCounts,
  type ContactRow,
  type Db,
  type MessageRow,
  type OutboxItem as OutboxRow,
} from '../store/index.js';
import { NOT_SENT_YET } from './client.js';
import type { Contact, Message, OutboxItem, RouteReceipt, Safety } from './schema.js';

/*
 * The API's view of what is stored: contacts, messages and the outbox as the UI and the CLI show
 * them. Read from the store alone, so the daemon and a CLI command with no daemon running give the
 * same shapes.
 */

/** Contacts with what is computed per contact. `online`: who is connected right now (empty when no node runs). */
export function contactViews(db: Db, rows: ContactRow[], opts: { online?: Set<string>; only?: string } = {}): Contact[] {
  const { only } = opts;
  const wanted = rows.filter((c) => only === undefined || c.id === only);
  if (wanted.length === 0) return [];
  const unread = unreadCounts(db, only);
  const last = lastMessages(db, only);
  const routes = lastRoutes(db, only);
  const trust = only === undefined ? trustOfAll(db) : null;
  const online = opts.online ?? new Set<string>();
  return wanted.map((c) => {
    const m = last.get(c.id);
    return {
      id: c.id,
      name: c.name,
      state: c.state,
      visibility: c.visibility,
      unread: unread.get(c.id) ?? 0,
      last: m ? { body: previewOf(m), at: m.received_at ?? m.sent_at, direction: m.direction } : null,
      route: routes.get(c.id) ?? null,
      online: online.has(c.id) ? true : c.visibility === 'direct' && opts.online ? false : null,
      disappearing: c.disappear_seconds,
      offeredName: c.offered_name,
      ...(trust?.get(c.id) ?? trustOf(db, c.id)),
    };
  });
}

/** Why a message waits: the last attempt's error, else whether it left at all. */
function reasonOf(o: Pick<OutboxRow, 'attempts' | 'last_error'>): string {
  if (o.last_error?.startsWith('NO_RECORD:')) return NOBODY_THERE;
  return o.last_error ?? (o.attempts > 0 ? 'sent, waiting for their end-to-end receipt' : NOT_SENT_YET);
}

/** Why a message to an ID with no intro record in the DHT waits, in plain words (issue 16: it retried forever, silently). */
export const NOBODY_THERE =
  'nobody uses this ID right now: no Parley has announced it. If the ID is right, the message goes when they come online; if not, cancel it';

/** A safety number as both ends show it: 12 groups of 5 digits, a QR code of the scannable form, the key's trust. */
export async function safetyView(n: { digits: string; scannable: Buffer }, trust: Trust): Promise<Safety> {
  // qrcode loads at the first QR drawn, not with every `parley run`.
  const qrSvg = await (
    await import('qrcode')
  ).default.toString([{ data: new Uint8Array(n.scannable), mode: 'byte' }], { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { number: n.digits.match(/\d{5}/g)!.join(' '), qrSvg, ...trust };
}

/** The newest `limit` messages, of one contact or of all, oldest first. */
export function historyView(db: Db, contactId: string | undefined, limit: number): Message[] {
  const waiting = waitingReasons(db, contactId);
  return history(db, contactId, limit).map((m) => toMessage(m, waiting.get(m.id) ?? null));
}

/** One message, with why it still waits if it does; null if there is none with that ID. */
export function messageView(db: Db, id: string): Message | null {
  const row = getMessage(db, id);
  if (!row) return null;
  return toMessage(row, waitingReasons(db, row.contact_id).get(id) ?? null);
}

/** Messages still waiting for their end-to-end receipt, oldest first, with why. */
export function outboxView(db: Db): OutboxItem[] {
  return listOutbox(db).map((o) => ({
    messageId: o.message_id,
    contactId: o.contact_id,
    body: o.body,
    sentAt: o.sent_at,
    attempts: o.attempts,
    nextAttemptAt: o.next_attempt_at,
    waitingBecause: reasonOf(o),
  }));
}

function parseRoute(route: string | null): RouteReceipt | null {
  if (!route) return null;
  try {
    return JSON.parse(route) as RouteReceipt;
  } catch {
    return null;
  }
}

export function toMessage(m: MessageRow, waitingBecause: string | null): Message {
  return {
    seq: m.seq,
    id: m.id,
    contactId: m.contact_id,
    direction: m.direction,
    body: m.body,
    sentAt: m.sent_at,
    receivedAt: m.received_at,
    state: m.state === 'queued' ? 'waiting' : m.state,
    route: parseRoute(m.route),
    waitingBecause: m.direction === 'out' && m.state !== 'delivered' ? waitingBecause : null,
    kind: m.kind,
    replyTo: m.reply_to ? { id: m.reply_to, quote: m.quote } : null,
    expiresAt: m.expires_at,
    timer: m.kind === 'timer' ? m.ttl : null,
  };
}

/** What the contact list says of a conversation's newest entry. */
function previewOf(m: MessageRow): string {
  if (m.kind === 'deleted') return 'This message was deleted';
  if (m.kind === 'timer') return m.ttl ? 'Disappearing messages on' : 'Disappearing messages off';
  return m.body.slice(0, 140);
}

/** Why each message (of one contact, or of all) still waits in the outbox. */
export function waitingReasons(db: Db, contactId?: string): Map<string, string> {
  return new Map((contactId === undefined ? listOutbox(db) : outboxFor(db, contactId)).map((o) => [o.message_id, reasonOf(o)]));
}

/**
 * The route in use per contact (or of one contact): how my newest delivered message travelled (what my
 * settings and theirs chose); before I have sent any, how their newest message reached me.
 */
export function lastRoutes(db: Db, contactId?: string): Map<string, RouteReceipt['route']> {
  const out = new Map<string, RouteReceipt['route']>();
  for (const [id, r] of newestRoutes(db, contactId)) {
    const route = parseRoute(r.out)?.route ?? parseRoute(r.in)?.route;
    if (route) out.set(id, route);
  }
  return out;
}
