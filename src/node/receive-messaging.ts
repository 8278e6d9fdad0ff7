import type { z } from 'zod';
import type { TextContent } from '../wire/content.js';
import type { DeleteContent, TimerContent } from '../wire/content-messaging.js';
import { MAX_QUOTE_CHARS } from '../wire/content-messaging.js';
import {
  getMessage,
  insertMessage,
  scrub,
  setDisappear,
  setOfferedName,
  tombstone,
  upsertContact,
  type ContactRow,
  type Db,
  type MessageRow,
} from '../store/index.js';
import { offeredName } from './messages-ops.js';

/** What these handlers use of the receiver's components (receiver.ts). */
interface ReceiverComponents {
  db: Db;
  now: () => number;
  onMessage: (m: MessageRow) => void;
  onUpdated: (m: MessageRow) => void;
}

/*
 * Receiving what everyday messaging adds (content-messaging.ts): a text's reply, timer and offered
 * name, a change of the disappearing timer, and a delete for everyone. Each is written in the
 * decryption's transaction (receiver.ts), its events follow the commit.
 */

type Text = z.output<typeof TextContent>;
/** The contents that take a place in the sender's conversation order. */
export type Ordered = Text | z.output<typeof TimerContent> | z.output<typeof DeleteContent>;

interface Entry {
  write: () => void;
  after: () => void;
}

/** A text's reply, disappearing timer (counted from its arrival here) and, from a stranger, the name they offer. */
export function textExtras(c: ReceiverComponents, from: string, known: ContactRow | undefined, content: Text) {
  if (content.name !== undefined && (!known || known.state === 'request')) {
    const name = offeredName(content.name);
    if (name) setOfferedName(c.db, from, name);
  }
  return {
    replyTo: content.reply?.id ?? null,
    quote: content.reply ? [...content.reply.quote].slice(0, MAX_QUOTE_CHARS).join('') : null,
    ttl: content.ttl || null,
    expiresAt: content.ttl ? c.now() + content.ttl * 1000 : null,
  };
}

/** The contact changed the conversation's timer: it applies here too (unless a later change did), and the conversation says so. */
export function timerEntry(c: ReceiverComponents, from: string, known: ContactRow | undefined, content: z.output<typeof TimerContent>): Entry {
  let fresh = false;
  return {
    write: () => {
      if (!known) upsertContact(c.db, from, 'request', c.now());
      fresh = insertMessage(c.db, {
        id: content.id,
        contactId: from,
        direction: 'in',
        convSeq: content.n,
        body: '',
        sentAt: content.at,
        receivedAt: c.now(),
        state: 'received',
        route: null,
        kind: 'timer',
        ttl: content.seconds,
      });
      if (fresh) setDisappear(c.db, from, content.seconds, content.at);
    },
    after: () => {
      if (fresh) c.onMessage(getMessage(c.db, content.id)!);
    },
  };
}

/**
 * The contact deleted a message for everyone: honoured only for a message they sent me. Its words
 * go at once (and from the WAL); a tombstone says "This message was deleted". A delete that comes
 * before its message (still on its way) leaves the tombstone, so the message is not stored later.
 */
export function deleteEntry(c: ReceiverComponents, from: string, known: ContactRow | undefined, content: z.output<typeof DeleteContent>): Entry {
  let changed = false;
  return {
    write: () => {
      const row = getMessage(c.db, content.id);
      if (row) {
        if (row.contact_id === from && row.direction === 'in' && row.kind === 'text') changed = tombstone(c.db, content.id);
        return;
      }
      if (!known) return; // a stranger's delete of nothing: nothing to do
      changed = insertMessage(c.db, {
        id: content.id,
        contactId: from,
        direction: 'in',
        convSeq: content.n,
        body: '',
        sentAt: c.now(),
        receivedAt: c.now(),
        state: 'received',
        route: null,
        kind: 'deleted',
      });
    },
    after: () => {
      if (!changed) return;
      scrub(c.db);
      c.onUpdated(getMessage(c.db, content.id)!);
    },
  };
}
