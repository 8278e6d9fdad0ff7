import { MAX_BLOB_BYTES, MAX_MAIL_BYTES } from '../wire/relay-frames.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY = 24 * 60 * 60 * 1000;

/** Every bound a relay keeps. All memory it holds is bounded by these numbers. */
export interface RelayLimits {
  /** TCP connections in handshake or open at once. */
  maxConnections: number;
  /** Unfinished handshakes at once: the rest of `maxConnections` is headroom for clients that finished one. */
  maxHandshakes: number;
  /** Per source address (IPv4 address, IPv6 /64): connections, and unfinished handshakes among them. */
  connectionsPerSource: number;
  handshakesPerSource: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** Mailboxes on the relay, and per connection. */
  maxMailboxes: number;
  mailboxesPerConnection: number;
  /** Per mailbox: stored items and their bytes. */
  mailboxItems: number;
  mailboxBytes: number;
  /** One mail item (≤ MAX_MAIL_BYTES, the wire cap). */
  mailItemBytes: number;
  /** How long an unacknowledged item is kept. */
  itemTtlMs: number;
  /** How long a mailbox whose owner is away is kept (re-registering refreshes it). */
  mailboxTtlMs: number;
  /** How long a mailbox nobody ever fetched from (or acknowledged in) is kept once its owner is away. */
  unfetchedMailboxTtlMs: number;
  /** Mailboxes registered from one source address. */
  mailboxesPerSource: number;
  /** Items and bytes returned by one fetch. */
  fetchItems: number;
  fetchBytes: number;
  maxBlobs: number;
  /** One blob (≤ MAX_BLOB_BYTES, the wire cap). */
  blobBytes: number;
  blobTtlMs: number;
  /** Mail and blob bytes held in memory, all together. */
  storedBytes: number;
  /** Stored bytes charged to one source address (the sender of mail, the writer of a blob). */
  sourceStoredBytes: number;
  /** Charged for each stored item on top of its bytes: what an item costs in memory whatever its size. */
  itemOverheadBytes: number;
  /** Blobs created from one source address. */
  blobsPerSource: number;
  /** Per connection: frames and payload bytes per second, with bursts. */
  framesPerSecond: number;
  frameBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
  /** Per connection, outgoing: live mail is dropped (it stays stored) beyond `dropQueuedBytes`; the connection is closed beyond `maxQueuedBytes`. */
  dropQueuedBytes: number;
  maxQueuedBytes: number;
  /** Circuits per connection and on the relay; bytes queued towards the next relay; connect time. */
  circuitsPerConnection: number;
  maxCircuits: number;
  circuitQueuedBytes: number;
  circuitConnectTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  maxConnections: 1024,
  maxHandshakes: 128,
  connectionsPerSource: 32,
  handshakesPerSource: 8,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxMailboxes: 100_000,
  mailboxesPerConnection: 64,
  mailboxItems: 1000,
  mailboxBytes: 4 * MiB,
  mailItemBytes: MAX_MAIL_BYTES,
  itemTtlMs: 7 * DAY,
  mailboxTtlMs: 30 * DAY,
  unfetchedMailboxTtlMs: 1 * DAY,
  mailboxesPerSource: 1024,
  fetchItems: 64,
  fetchBytes: 512 * KiB,
  maxBlobs: 100_000,
  blobBytes: MAX_BLOB_BYTES,
  blobTtlMs: 7 * DAY,
  storedBytes: 256 * MiB,
  sourceStoredBytes: 16 * MiB,
  itemOverheadBytes: 128,
  blobsPerSource: 1024,
  framesPerSecond: 100,
  frameBurst: 300,
  bytesPerSecond: 1 * MiB,
  byteBurst: 4 * MiB,
  dropQueuedBytes: 1 * MiB,
  maxQueuedBytes: 4 * MiB,
  circuitsPerConnection: 8,
  maxCircuits: 512,
  circuitQueuedBytes: 1 * MiB,
  circuitConnectTimeoutMs: 5_000,
});

export function resolveLimits(partial: Partial<RelayLimits> = {}): RelayLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  limits.mailItemBytes = Math.min(limits.mailItemBytes, MAX_MAIL_BYTES);
  limits.blobBytes = Math.min(limits.blobBytes, MAX_BLOB_BYTES);
  return limits;
}
