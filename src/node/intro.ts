import type { Identity } from '../identity/index.js';
import { encodeIntro } from '../dht/index.js';
import { encodeRelayRef, type RelayRef } from '../routing/relay-ref.js';

/** How long a published intro record is valid; the node republishes it well before (DEFAULT_REPUBLISH_MS). */
export const INTRO_LIFETIME_S = 2 * 3600;

/**
 * Where strangers reach this person: a relay and its mailbox (once registered), and the direct
 * endpoint and transport key only when the person chose to be reachable directly by strangers.
 */
export interface IntroReach {
  relay: RelayRef | null;
  direct: { host: string; port: number; transportKey: Buffer } | null;
}

/** The value of this person's intro record (published under INTRO_SALT). */
export function introValue(identity: Identity, reach: IntroReach, nowMs: number): Buffer {
  return encodeIntro({
    signalIdentityKey: identity.signalIdentityPublic,
    binding: identity.binding,
    ...(reach.relay ? { relay: encodeRelayRef(reach.relay) } : {}),
    ...(reach.direct ? { transportKey: reach.direct.transportKey, endpoint: `${reach.direct.host}:${reach.direct.port}` } : {}),
    expiresAt: Math.floor(nowMs / 1000) + INTRO_LIFETIME_S,
  });
}
