export * from './errors.js';
export { MAX_VALUE_BYTES, MAX_SALT_BYTES, encodedLength, signable, targetOf, hasValidSignature, type MutableRecord, type MutableSigner } from './bep44.js';
export { parseHostPort, formatHostPort, type HostPort } from './host-port.js';
export { isLoopback, type SocketCounters } from './socket-guard.js';
export type { Ed25519Verify } from './verify.js';
export type { PutMutableInput, MutableLookup } from './mutable.js';
export { DhtNode, type DhtNodeOptions, type DhtStats } from './dht-node.js';
export { INTRO_VERSION, MAX_RELAY_BYTES, decodeIntroValue } from './intro-codec.js';
export { INTRO_SALT, CLOCK_SKEW_S, encodeIntro, verifyIntro, VerifiedIntro, type IntroFields } from './intro-record.js';
export { publishIntro, lookupIntro, type IntroOptions } from './intro-lookup.js';
export { IntroSeqs, introSeqsOf } from './intro-seqs.js';
export { Republisher, DEFAULT_REPUBLISH_MS, type RepublisherOptions, type RepublisherComponents, type RepublisherStatus } from './republisher.js';
export {
  RENDEZVOUS_VERSION,
  dayOf,
  dayStartMs,
  pairSecret,
  rendezvousSlot,
  sealRendezvous,
  openRendezvous,
  RendezvousSlot,
  VerifiedRendezvous,
  type RendezvousReach,
} from './rendezvous-record.js';
export { dhtForTest, type SeenDatagram } from './observe.js';
