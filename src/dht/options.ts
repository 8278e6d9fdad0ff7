import type { Logger } from 'pino';
import type { Ed25519Verify } from './verify.js';

export interface DhtNodeOptions {
  /** `host:port` nodes to join through. Required: `[]` makes this the first node of a new network; the
   * library's public default routers are never used unless listed here. */
  bootstrap: readonly string[];
  /** Address to bind (a testnet gives each node its own 127.0.0.x); all interfaces when omitted. */
  host?: string;
  /** UDP port; 0 (the default) lets the OS choose. */
  port?: number;
  logger?: Logger;
  /** Refuse to send any datagram off the loopback network (closed test networks). */
  loopbackOnly?: boolean;
  /** BEP44 signature check for items this node stores and looks up; injectable (tests run a permissive, malicious node). */
  verify?: Ed25519Verify;
  /** Longest wait in `start()` for the bootstrap lookup (default 3000 ms). */
  readyTimeoutMs?: number;
  /** How long one KRPC query waits for its answer (k-rpc-socket's default is 2000 ms). */
  queryTimeoutMs?: number;
  /** A lookup that holds a valid record waits this long more for a higher seq (default 50 ms). */
  settleMs?: number;
  /** Longest a put or get may take before it is abandoned with TIMEOUT. */
  operationTimeoutMs?: number;
}

export const DEFAULTS = {
  readyTimeoutMs: 3_000,
  queryTimeoutMs: 2_000,
  settleMs: 50,
  operationTimeoutMs: 30_000,
  /** A bootstrap lookup that has found no new node for this long is done enough to start with. */
  quietMs: 200,
  /**
   * KRPC queries in flight at once, for the whole node (the library's default is 16). The bootstrap
   * lookup alone may hold k = 20 queries to departed nodes until they time out; a lookup started
   * meanwhile must not have to wait behind them.
   */
  concurrency: 64,
} as const;
