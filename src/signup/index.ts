/**
 * Sign-up by email or phone and contact discovery, client side (rank 3: used by node, attestor, cli).
 *
 * For the daemon: `node.signup()` returns a `Signup` bound to the running node (its database, identity
 * and DHT node); the node's `AttestationKeeper` republishes attestations and tombstones.
 *   startSignup({attestor, kind, identifier, region?}) -> {kind, expiresAt}    a code is sent
 *   verifyCode(code) -> AttestationStatus & {storedOn}                         saved + published
 *   status() / attestors() / forgetAttestor(url)
 *   lookup(emailOrPhone, {region?, attestor?}) -> Match | null
 *   importContacts(vcfOrCsvText, {format?, region?, attestor?}) -> ImportResult
 *   unlink({kind?}) -> AttestationStatus[]                                     tombstones published
 * Errors are SignupError (code + a sentence without personal data); an attestor's refusal has code
 * `ATTESTOR_<its code>`.
 */
export * from './errors.js';
export * from './identifier.js';
export {
  LOOKUP_KEY_BYTES,
  ELEMENT_BYTES,
  MAX_BATCH,
  deriveOprfKeyPair,
  evaluateIdentifier,
  evaluateBlinded,
  blind,
  finalize,
  attestationSalt,
  type OprfKeyPair,
  type Blinded,
} from './oprf.js';
export { ATTESTATION_VERSION, encodeAttestationValue, decodeAttestationValue } from './attestation-codec.js';
export { signAttestation, signTombstone, verifyAttestation, presigned, VerifiedAttestation, type VerifyContext, type AttestationValue } from './attestation.js';
export { bindMessage, unlinkMessage, checkSignature } from './proofs.js';
export * as api from './api.js';
export { AttestorClient, type AttestorInfo } from './attestor-client.js';
export { parseVcards, parseVcardsAsync, formatVcards, MAX_CONTACTS_BYTES, type ContactCard } from './vcard.js';
export { parseCsv, parseCsvAsync, formatCsv, splitRows } from './csv.js';
export { parseContacts, parseContactsAsync, type ContactsFormat } from './contacts.js';
export { lookupKeys, findAttestations, type Finding } from './finder.js';
export { AttestationKeeper, putSigned, type KeeperComponents } from './keeper.js';
export {
  pinnedAttestors,
  pinAttestor,
  forgetAttestor,
  savedAttestations,
  getPending,
  type PinnedAttestor,
  type SavedAttestation,
  type SavedPending,
} from './saved.js';
export { Signup, type SignupComponents, type AttestationStatus, type Match, type ImportResult } from './signup.js';
