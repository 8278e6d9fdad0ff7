import type { RouteReceipt } from './receipt.js';
import type { SenderPath } from '../wire/content.js';

export type Visibility = 'direct' | 'relayed';

/**
 * How a message goes, decided per attempt from the two settings (ARCHITECTURE.md, route table).
 * `theirs` is 'direct' only when the contact gave us a direct way to reach them.
 *   direct  + direct  → direct            me → them
 *   direct  + relayed → their-relay       me → their relay → them
 *   relayed + any     → two-relays        me → my relay → their relay → them (one relay if both are the same)
 * Nothing else: a `relayed` contact never gets a direct packet, whatever fails.
 */
export type RoutePlan = 'direct' | 'their-relay' | 'two-relays';

export function planRoute(mine: Visibility, theirs: Visibility): RoutePlan {
  if (mine === 'relayed') return 'two-relays';
  return theirs === 'direct' ? 'direct' : 'their-relay';
}

/** The receipt the sender records for a plan carried out (who on the path could see which IP). */
export function senderReceipt(plan: RoutePlan, sameRelay = false): RouteReceipt {
  switch (plan) {
    case 'direct':
      return { route: 'direct', hops: ['direct'], sees: [{ party: 'contact', ips: ['mine'] }] };
    case 'their-relay':
      return {
        route: 'one-relay',
        hops: ['their-relay'],
        sees: [
          { party: 'their-relay', ips: ['mine', 'theirs'] },
          { party: 'contact', ips: [] },
        ],
      };
    case 'two-relays':
      return sameRelay
        ? {
            route: 'one-relay',
            hops: ['my-relay'],
            sameRelay: true,
            sees: [
              { party: 'my-relay', ips: ['mine', 'theirs'] },
              { party: 'contact', ips: [] },
            ],
          }
        : {
            route: 'two-relays',
            hops: ['my-relay', 'their-relay'],
            sees: [
              { party: 'my-relay', ips: ['mine'] },
              { party: 'their-relay', ips: ['theirs'] },
              { party: 'contact', ips: [] },
            ],
          };
  }
}

/** The sender's half of a plan carried out, stamped into each text so the receiver can show the whole way. */
export function senderPath(plan: RoutePlan, sameRelay = false): SenderPath {
  if (plan === 'direct') return 'direct';
  if (plan === 'their-relay') return 'recipient-relay';
  return sameRelay ? 'shared-relay' : 'both-relays';
}

/** What the receiver of a message that came out of its own relay mailbox knows by itself: the sender never saw its IP. */
export const MAILBOX_RECEIPT: RouteReceipt = {
  route: 'one-relay',
  hops: ['my-relay'],
  sees: [
    { party: 'my-relay', ips: ['mine'] },
    { party: 'contact', ips: [] },
  ],
};

/**
 * The receipt of a message that came out of my relay mailbox: my half observed (my relay saw my IP,
 * the sender saw none of mine), the sender's half as they stated it. A sender that states nothing
 * (an older version) leaves the receipt at what I know; so does a statement that contradicts what I
 * saw ('direct' cannot come out of a mailbox).
 */
export function mailboxReceipt(via: SenderPath | undefined): RouteReceipt {
  switch (via) {
    case 'recipient-relay':
      return {
        route: 'one-relay',
        hops: ['my-relay'],
        senderReported: true,
        sees: [
          { party: 'my-relay', ips: ['mine', 'theirs'] },
          { party: 'contact', ips: [] },
        ],
      };
    case 'shared-relay':
      return {
        route: 'one-relay',
        hops: ['my-relay'],
        sameRelay: true,
        senderReported: true,
        sees: [
          { party: 'my-relay', ips: ['mine', 'theirs'] },
          { party: 'contact', ips: [] },
        ],
      };
    case 'both-relays':
      return {
        route: 'two-relays',
        hops: ['their-relay', 'my-relay'],
        senderReported: true,
        sees: [
          { party: 'their-relay', ips: ['theirs'] },
          { party: 'my-relay', ips: ['mine'] },
          { party: 'contact', ips: [] },
        ],
      };
    case 'direct': // cannot come out of a mailbox: what I know
    case undefined:
    default:
      return MAILBOX_RECEIPT;
  }
}
