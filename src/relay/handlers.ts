import { RELAY_PROTOCOL_VERSION, type ClientToRelay, type RelayToClientOut } from '../wire/relay-frames.js';
import type { BlobStore } from './blobs.js';
import type { SessionCircuits } from './circuits.js';
import { RelayError } from './errors.js';
import { blobIdFor, mailboxIdFor } from './ids.js';
import type { RelayLimits } from './limits.js';
import type { MailboxStore, MailOwner } from './mailboxes.js';
import type { ExitSession } from './dht-exit.js';

/** What a request handler may touch: the relay's stores and this one connection. */
export interface RequestContext {
  limits: RelayLimits;
  mailboxes: MailboxStore;
  blobs: BlobStore;
  circuits: SessionCircuits;
  /** Mailbox ids this connection proved it owns (by sending their secrets). */
  owned: Set<string>;
  owner: MailOwner;
  /** The tag of this connection's source address: what it stores and creates is charged to it. */
  source: string;
  send: (frame: RelayToClientOut) => void;
  /** This connection's share of the relay's DHT exit; null when the relay runs none. */
  exit: ExitSession | null;
  /** Answers request `id` with an error code later (an exit request settles after the DHT answers). */
  fail: (id: number, code: string) => void;
  /** Send request `id` was stored: answered by the next cumulative `accepted` (see relay-frames.ts). */
  accepted: (id: number) => void;
}

/** Carries out one client frame; a refusal is thrown as a RelayError and answered by the caller. */
export function handleFrame(f: ClientToRelay, ctx: RequestContext): void {
  const v = RELAY_PROTOCOL_VERSION;
  switch (f.t) {
    case 'register': {
      const mailbox = mailboxIdFor(f.secret);
      if (!ctx.owned.has(mailbox) && ctx.owned.size >= ctx.limits.mailboxesPerConnection) throw RelayError.TOO_MANY_MAILBOXES();
      ctx.mailboxes.register(mailbox, ctx.owner, ctx.source);
      ctx.owned.add(mailbox);
      return ctx.send({ v, t: 'registered', id: f.id, mailbox });
    }
    case 'send':
      ctx.mailboxes.put(f.mailbox, f.bytes, ctx.source);
      return ctx.accepted(f.id);
    case 'fetch': {
      if (!ctx.owned.has(f.mailbox)) throw RelayError.NOT_OWNER();
      const { items, more } = ctx.mailboxes.list(f.mailbox, f.after);
      for (const it of items) ctx.send({ v, t: 'mail', mailbox: f.mailbox, item: it.item, bytes: it.bytes, req: f.id });
      return ctx.send({ v, t: 'fetched', id: f.id, more });
    }
    case 'ack': {
      if (!ctx.owned.has(f.mailbox)) throw RelayError.NOT_OWNER();
      return ctx.send({ v, t: 'acked', id: f.id, count: ctx.mailboxes.ack(f.mailbox, f.items) });
    }
    case 'blob-put': {
      const blob = blobIdFor(f.secret);
      ctx.blobs.put(blob, f.bytes, ctx.source);
      return ctx.send({ v, t: 'blob-stored', id: f.id, blob });
    }
    case 'blob-get':
      return ctx.send({ v, t: 'blob', id: f.id, bytes: ctx.blobs.get(f.blob) });
    case 'circuit-open':
      return ctx.circuits.open(f.id, f.c, f.host, f.port, f.key);
    case 'circuit-data':
      return ctx.circuits.data(f.c, f.bytes);
    case 'circuit-close':
      return ctx.circuits.close(f.c, f.reason, false);
    case 'dht-get':
    case 'dht-put':
      if (!ctx.exit) throw RelayError.NO_EXIT();
      return ctx.exit.handle(
        f,
        (frame) => ctx.send(frame),
        (id, code) => ctx.fail(id, code),
      );
  }
}

/** Payload bytes a frame carries, for the per-connection byte rate. */
export function payloadBytes(f: ClientToRelay): number {
  return 'bytes' in f ? f.bytes.length : 0;
}
