import { isIPv4 } from 'node:net';

/**
 * Which relays a node uses, decided from what it measured. Pure: the pool (relay-pool.ts) feeds it
 * and keeps its answers.
 *
 * - The **guard** (the relay that sees this node's IP) is sticky, like Tor's entry guards: kept
 *   across restarts while it keeps answering, so a node does not hand its address to relay after
 *   relay. A pinned relay is the guard whenever one is pinned; an excluded relay is never used.
 * - Every other relay in one circuit (the second hop, the intro mailbox) sits in another /16 (IPv6:
 *   another /32) than the guard: one operator with one network block holds at most one hop.
 */
export interface MeasuredRelay {
  host: string;
  port: number;
  publicKey: string;
  /** Round trip of a relay request after the handshake, last time it answered. */
  rttMs: number | null;
  /** Failed probes or connections since it last answered. */
  failuresInARow: number;
}

/** A guard that failed this many times in a row (probes or connections) is replaced. */
export const GUARD_FAILURES_TO_REPLACE = 3;

/** The network block a relay's address belongs to, for "one relay per /16 in a circuit". */
export function subnetOf(host: string): string {
  if (isIPv4(host)) return host.split('.').slice(0, 2).join('.') + '/16';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) return subnetOf(mapped[1]!);
  const groups = expandV6(host);
  return `${groups.slice(0, 2).join(':')}::/32`;
}

function expandV6(host: string): string[] {
  const [head = '', tail = ''] = host.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map((g) => g.replace(/^0+(?=.)/, ''));
}

export const healthy = (r: MeasuredRelay) => r.failuresInARow === 0 && r.rttMs !== null;

export interface GuardInput {
  relays: MeasuredRelay[];
  pinned: string[];
  excluded: string[];
  /** The guard kept from before (its public key), if any. */
  remembered: string | null;
  /** Uniform in [0, 1): injected so tests can tell what was chosen. */
  random: () => number;
}

/** The guard: a pinned relay (the first that answers, else the first), else the remembered one while it lasts, else a fast one. */
export function chooseGuard(i: GuardInput): MeasuredRelay | null {
  const usable = i.relays.filter((r) => !i.excluded.includes(r.publicKey));
  const pinned = i.pinned.map((k) => usable.find((r) => r.publicKey === k)).filter((r): r is MeasuredRelay => !!r);
  if (pinned.length) return pinned.find(healthy) ?? pinned[0]!;
  const kept = usable.find((r) => r.publicKey === i.remembered);
  if (kept && kept.failuresInARow < GUARD_FAILURES_TO_REPLACE) return kept;
  const answering = usable.filter(healthy).sort((a, b) => a.rttMs! - b.rttMs!);
  // Among the fastest few, at random: every node picking the single fastest would herd onto one relay.
  const fast = answering.filter((r) => r.rttMs! <= Math.max(answering[0]?.rttMs ?? 0, 1) * 3).slice(0, 5);
  if (fast.length) return fast[Math.floor(i.random() * fast.length)]!;
  return usable[Math.floor(i.random() * usable.length)] ?? null;
}

/** A relay for another hop of a circuit that holds `others`: answering, not excluded, in a /16 none of them is in. */
export function chooseOtherHop(
  relays: MeasuredRelay[],
  others: Array<{ host: string; publicKey: string }>,
  excluded: string[],
  random: () => number,
): MeasuredRelay | null {
  const taken = new Set(others.map((o) => subnetOf(o.host)));
  const ok = relays.filter(
    (r) => healthy(r) && !excluded.includes(r.publicKey) && !others.some((o) => o.publicKey === r.publicKey) && !taken.has(subnetOf(r.host)),
  );
  return ok.length ? ok[Math.floor(random() * ok.length)]! : null;
}
