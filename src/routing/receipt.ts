/**
 * How a message travelled, as the user sees it: the hops in order and, for each party on the path,
 * which end's IP address it could see. Recorded on every delivered or received message.
 */
export type Hop = 'direct' | 'my-relay' | 'their-relay';
export type Party = 'contact' | 'my-relay' | 'their-relay';

export interface RouteReceipt {
  route: 'direct' | 'one-relay' | 'two-relays';
  hops: Hop[];
  /** For each party on the path, whose IP it could see: 'mine', 'theirs'. */
  sees: Array<{ party: Party; ips: Array<'mine' | 'theirs'> }>;
  /** When both ends used the same relay, it could see both IPs: said plainly. */
  sameRelay?: boolean;
  /**
   * On a received message: the sender's side of the path is as the sender's device stated it inside
   * the encrypted message (authentic, but only they could know it); the receiver's side is observed.
   */
  senderReported?: boolean;
  /** Why a message for a `direct` contact did not go device to device (e.g. "direct not possible: both networks change ports"). */
  reason?: string;
  /** How the sender found the contact's reach for it, and where that DHT traffic left from (issue 13 §8). */
  lookup?: LookupReceipt;
  /** My relay also holds their mailbox: the message went around it through this relay (host:port), so my relay got it from that relay's address, not mine. */
  detour?: string;
  /** Something less private than the settings promise happened (each said in plain words by the UI and the CLI). */
  warnings?: ReceiptWarning[];
}

/**
 * How a contact's reach was found. `rendezvous`: our pair's record, under a key only the two of us can
 * derive (names neither of us); `intro`: their intro record, which names them — a first contact, or
 * `fallback` when no rendezvous record of theirs was found; `known`: no lookup (the direct reach they
 * sent me). `via` is where the lookup left from: an exit relay (host:port), or my own address, with why.
 */
export interface LookupReceipt {
  record: 'rendezvous' | 'intro' | 'known';
  fallback?: boolean;
  via?: { exit: string } | { ownAddress: 'reachable-by-strangers' | 'no-relay' };
}

/**
 * - `lookup-from-own-address`: the lookup left from my address though I am not reachable by strangers
 *   (I have no relay): DHT nodes could tie my address to my ID and to theirs.
 * - `direct-link-open`: a direct connection with a contact I set to `relayed` was open: they could see my IP.
 */
export type ReceiptWarning = 'lookup-from-own-address' | 'direct-link-open';

/** The receipt's lookup, detour and warnings, from what the sender saw while sending. */
export function withCircumstances(
  receipt: RouteReceipt,
  c: { lookup?: LookupReceipt | undefined; detour?: { host: string; port: number } | null | undefined; directLinkOpen?: boolean },
): RouteReceipt {
  const warnings: ReceiptWarning[] = [];
  const via = c.lookup?.via;
  if (via && 'ownAddress' in via && via.ownAddress === 'no-relay') warnings.push('lookup-from-own-address');
  if (c.directLinkOpen) warnings.push('direct-link-open');
  return {
    ...receipt,
    ...(c.lookup ? { lookup: c.lookup } : {}),
    ...(c.detour ? { detour: `${c.detour.host}:${c.detour.port}` } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** What the receiver of a direct connection knows: the contact saw its IP. */
export const DIRECT_RECEIPT: RouteReceipt = {
  route: 'direct',
  hops: ['direct'],
  sees: [{ party: 'contact', ips: ['mine'] }],
};
