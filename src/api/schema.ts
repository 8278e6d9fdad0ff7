/**
 * The daemon API's shapes, shared by the server (validation), the typed client and the web UI.
 * Browser-safe: imports zod only.
 */
import { z } from 'zod';
import { MAX_MESSAGE_BYTES, utf8Length } from './limits.js';
import type { FileInfo } from './file-schema.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const Onboard = z.object({
  mode: z.literal('incognito'),
  name: text(64),
  passphrase: z.string().min(8, 'a passphrase needs at least 8 characters').max(1024).optional(),
});
export const Strangers = z.object({ on: z.boolean() });
export type Strangers = z.infer<typeof Strangers>;
export const Unlock = z.object({ passphrase: z.string().min(1).max(1024) });
export const AddContact = z.object({ id: text(200), name: text(64).optional() });
export const PatchContact = z
  .object({ name: text(64).optional(), visibility: z.enum(['direct', 'relayed']).optional(), blocked: z.boolean().optional() })
  .refine((p) => p.name !== undefined || p.visibility !== undefined || p.blocked !== undefined, 'nothing to change: give a name, a visibility or blocked');
export const SendMessage = z.object({
  text: z
    .string()
    .min(1, 'the message is empty')
    .refine((s) => utf8Length(s) <= MAX_MESSAGE_BYTES, 'the message is too long: send it in two parts'),
  /** The message this one answers (it carries a short quote of it). */
  replyTo: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'not a message ID')
    .optional(),
});
export const Verify = z.object({ verified: z.boolean() });
export const PageQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
/** The newest messages of every conversation (the CLI's `parley history`). */
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(100_000).optional() });
export const SearchQuery = z.object({ q: z.string().max(200), contact: z.string().max(200).optional() });

export const SignupStart = z.object({
  kind: z.enum(['email', 'phone']),
  identifier: text(300),
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as CH')
    .optional(),
});
export const SignupVerify = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'the code is six digits'),
});
export const Unlink = z.object({ kind: z.enum(['email', 'phone']).optional() });
export const ImportContacts = z.object({
  text: z.string().min(1, 'the file is empty').max(5_000_000),
  format: z.enum(['vcf', 'csv']).optional(),
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as CH')
    .optional(),
});
export const Find = z.object({
  q: text(300),
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
});

export const MarkRelay = z.object({
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a relay key is 44 characters of base64'),
  mark: z.enum(['pin', 'unpin', 'exclude', 'include']),
});
export type Onboard = z.infer<typeof Onboard>;
export type AddContact = z.infer<typeof AddContact>;
export type PatchContact = z.infer<typeof PatchContact>;

export type Hop = 'direct' | 'my-relay' | 'their-relay';
export interface RouteReceipt {
  route: 'direct' | 'one-relay' | 'two-relays';
  hops: Hop[];
  sees: Array<{ party: 'contact' | 'my-relay' | 'their-relay'; ips: Array<'mine' | 'theirs'> }>;
  sameRelay?: boolean;
  /** On a received message: the sender's half of the path is as their device stated it (end-to-end encrypted). */
  senderReported?: boolean;
  /** Why a message for a `direct` contact did not go device to device, in plain words. */
  reason?: string;
  /** How the sender found the contact's reach, and where that DHT lookup left from (see src/routing/receipt.ts). */
  lookup?: { record: 'rendezvous' | 'intro' | 'known'; fallback?: boolean; via?: { exit: string } | { ownAddress: 'reachable-by-strangers' | 'no-relay' } };
  /** The relay (host:port) the message went around my relay through, when my relay also holds their mailbox. */
  detour?: string;
  warnings?: Array<'lookup-from-own-address' | 'direct-link-open'>;
}

export interface Me {
  id: string;
  link: string;
  name: string;
  /** The `parley:` link as an SVG QR code. */
  qrSvg: string;
  /** "Reachable directly by strangers": my intro record, which anyone can read, names my IP address. */
  reachableByStrangers: boolean;
}

export interface State {
  status: 'new' | 'locked' | 'starting' | 'running';
  me: Me | null;
  /** The attestor this daemon offers for email/phone sign-up; null: incognito only. */
  attestor: string | null;
  /** False when the home has no passphrase: the database is in clear on disk (the UI says so). */
  diskProtected: boolean;
  /** Where DHT lookups and publishing leave from (a warning when `private` is false); null until running. */
  dhtTraffic: { private: boolean; sentence: string; waiting?: boolean } | null;
}

export interface Attestation {
  kind: 'email' | 'phone';
  attestor: string;
  state: 'active' | 'withdrawn';
  expiresAt: number;
}

export interface Match {
  identifier: string;
  kind: 'email' | 'phone';
  name?: string;
  id: string;
  /** Already in your contacts. */
  known: boolean;
}

export interface ImportResult {
  cards: number;
  checked: number;
  invalid: number;
  matches: Match[];
  rejected: Record<string, number>;
}

export interface Contact {
  id: string;
  name: string | null;
  state: 'added' | 'request' | 'blocked';
  visibility: 'direct' | 'relayed';
  unread: number;
  last: { body: string; at: number; direction: 'in' | 'out' } | null;
  /** The route of the newest message that travelled, if any. */
  route: RouteReceipt['route'] | null;
  verified: boolean;
  /** Connected device to device right now; null when unknowable (relayed: relays hide presence). */
  online: boolean | null;
  /** Their key changed and the new one is not verified yet: warn. */
  keyChanged: boolean;
  /** They offered a new key (signed by their ID) that is refused until the user accepts it. */
  keyPending: boolean;
  /** The conversation's disappearing timer in seconds (0: off), agreed by both sides. */
  disappearing: number;
  /** The name a stranger gave with their request: unverified ("says they are …"). */
  offeredName: string | null;
}

export interface Message {
  seq: number;
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  body: string;
  sentAt: number;
  receivedAt: number | null;
  /** waiting: in the outbox, nothing sent yet; sent: handed to the route, no receipt yet. */
  state: 'waiting' | 'sent' | 'delivered' | 'received';
  route: RouteReceipt | null;
  /** Why it still waits (from the outbox), if it does. */
  waitingBecause: string | null;
  /** text; timer: someone changed the disappearing timer (to `timer` seconds); deleted: deleted for everyone (no words left). */
  kind: 'text' | 'timer' | 'deleted';
  /** The message this one answers, with a short quote (null when that message was deleted). */
  replyTo: { id: string; quote: string | null } | null;
  /** When it disappears (ms since epoch), if it does. */
  expiresAt: number | null;
  timer: number | null;
}

/** A message still waiting in the outbox for the recipient's end-to-end receipt. */
export interface OutboxItem {
  messageId: string;
  contactId: string;
  body: string;
  sentAt: number;
  attempts: number;
  /** When the next attempt is due (ms since epoch). */
  nextAttemptAt: number;
  waitingBecause: string;
}

export interface SearchHit extends Message {
  snippet: string;
}

export interface Safety {
  /** 60 digits in 12 groups of 5, the same on both devices. */
  number: string;
  qrSvg: string;
  verified: boolean;
  keyChanged: boolean;
  keyPending: boolean;
}

/** A relay this node knows: found in the DHT or named, measured, and what it is used for. */
export interface Relay {
  host: string;
  port: number;
  publicKey: string;
  source: 'named' | 'dht';
  /** Round trip of one relay request, last time it answered (ms). */
  rttMs: number | null;
  failuresInARow: number;
  lastOkAt: number | null;
  pinned: boolean;
  excluded: boolean;
  uses: Array<'guard' | 'intro-mailbox' | 'dht-exit'>;
}

/** How this device is connected: for its person only, never published. */
export interface Network {
  /** `starting` while the network part of the start runs in the background; `failed` with `problem` saying why. */
  state: 'off' | 'starting' | 'up' | 'failed';
  problem: string | null;
  dhtNodes: number;
  relaysInUse: Relay[];
  /** null until the direct listener is up (the network is starting). */
  listening: { host: string; port: number } | null;
  publicAddress: { host: string; port: number } | null;
  nat: 'none' | 'stable' | 'changes-ports' | 'unknown' | null;
  direct: { possible: boolean; why: string };
}

export type ApiEvent =
  | { type: 'message'; message: Message }
  | { type: 'delivery'; message: Message }
  | { type: 'contact'; contact: Contact }
  | { type: 'route'; contactId: string; route: RouteReceipt['route'] }
  | { type: 'presence'; contactId: string; online: boolean }
  | { type: 'state'; state: State }
  /** A message changed in place (deleted for everyone). */
  | { type: 'updated'; message: Message }
  /** Messages are gone (disappeared, deleted for me, conversation cleared, cancelled). */
  | { type: 'removed'; contactId: string; ids: string[] }
  | { type: 'file'; file: FileInfo }
  /** Files are gone (their timer ran out, deleted here or by their sender, conversation cleared). */
  | { type: 'file-removed'; contactId: string; ids: string[] };

export interface ApiErrorBody {
  error: { code: string; message: string };
}
