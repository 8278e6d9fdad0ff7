/** The node's entries in the store's key-value table, named once. */
export const KV = {
  /** The name this person shows (set at `init` or onboarding, changed in the UI). */
  profileName: 'profile.name',
  /** The relay this node uses, host:port, kept across restarts. */
  relayChosen: 'relay.chosen',
  /** Relays this node knows and what it measured of them (JSON, see relay-pool.ts). */
  relayPool: 'relays.pool',
  /** The guard relay's public key (base64), kept across restarts like a Tor guard. */
  relayGuard: 'relays.guard',
  /** Relays the person pinned (always the guard) and excluded (never used): JSON arrays of public keys. */
  relaysPinned: 'relays.pinned',
  relaysExcluded: 'relays.excluded',
  /** What this run uses each relay for besides the guard (JSON: public key → uses, see relay-pool.ts). */
  relayUses: 'relays.uses',
  /** The port of the direct listener, kept across restarts. */
  listenPort: 'listen.port',
  /** The last reach-me content sent to a contact (base64), so a change is sent once. */
  reachSent: (contactId: string) => `reachSent.${contactId}`,
  /** The two contributions to the pair's rendezvous secret (JSON, see rendezvous-secrets.ts). */
  rendezvous: (contactId: string) => `rendezvous.${contactId}`,
} as const;
