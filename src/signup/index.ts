export * from './errors.js';
export * from './identifier.js';
export { LOOKUP_KEY_BYTES, ELEMENT_BYTES, MAX_BATCH, deriveOprfKeyPair, evaluateIdentifier, evaluateBlinded, blind, finalize, attestationSalt, type OprfKeyPair, type Blinded } from './oprf.js';
export { ATTESTATION_VERSION, encodeAttestationValue, decodeAttestationValue } from './attestation-codec.js';
export { signAttestation, signTombstone, verifyAttestation, presigned, VerifiedAttestation, type VerifyContext, type AttestationValue } from './attestation.js';
export { bindMessage, unlinkMessage, checkSignature } from './proofs.js';
export * as api from './api.js';
