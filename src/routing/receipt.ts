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
}

/** What the receiver of a direct connection knows: the contact saw its IP. */
export const DIRECT_RECEIPT: RouteReceipt = {
  route: 'direct',
  hops: ['direct'],
  sees: [{ party: 'contact', ips: ['mine'] }],
};
