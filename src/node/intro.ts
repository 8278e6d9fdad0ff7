import type { Identity } from '../identity/index.js';
import { encodeIntro } from '../dht/index.js';
import { encodeRelayRef, type RelayRef } from '../routing/relay-ref.js';

/** How long a published intro record is valid; the node republishes it well before (DEFAULT_REPUBLISH_MS). */
export const INTRO_LIFETIME_S = 2 * 3600;

/** Where strangers reach this person: through a relay (its mailbox, once registered), or directly when there is no relay. */
export type IntroReach = { relay: RelayRef | null } | { direct: { host: string; port: number } };

/**
 * The value of this person's intro record (published under INTRO_SALT). With a relay, strangers learn
 * only the relay and a mailbox; without one (a network with no relays), the direct endpoint is the
 * only way in, and the intro says so.
 */
export function introValue(identity: Identity, reach: IntroReach, nowMs: number): Buffer {
  return encodeIntro({
    signalIdentityKey: identity.signalIdentityPublic,
    binding: identity.binding,
    ...('direct' in reach
      ? { transportKey: identity.transportKey.publicKey, endpoint: `${reach.direct.host}:${reach.direct.port}` }
      : reach.relay ? { relay: encodeRelayRef(reach.relay) } : {}),
    expiresAt: Math.floor(nowMs / 1000) + INTRO_LIFETIME_S,
  });
}
