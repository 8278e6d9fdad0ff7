import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { namespacedHash } from '../identity/index.js';
import { SignupError } from './errors.js';
import type { Identifier, IdentifierKind } from './identifier.js';

/**
 * Lookup keys: the RFC 9497 POPRF (ristretto255-SHA512, through @noble/curves) of a normalised
 * identifier under the attestor's OPRF key, with public info `parley/lookup/1/<kind>` so an email
 * address and a phone number never share a key. Only the attestor can compute one, and it
 * rate-limits that, so nobody can enumerate phone numbers offline; a client obtains one with its
 * input blinded (the attestor never sees it) and checks the attestor's DLEQ proof against the
 * attestor's published OPRF key (so it cannot answer different people with different keys).
 *
 * The DHT salt of an attestation is a namespaced BLAKE2b of the lookup key (see `attestationSalt`).
 */
export const LOOKUP_KEY_BYTES = 64;
export const ELEMENT_BYTES = 32;
/** Most blinded elements one evaluation request may carry. */
export const MAX_BATCH = 256;

const suite = (kind: IdentifierKind) => ristretto255_oprf.poprf(Buffer.from(`parley/lookup/1/${kind}`));
type Suite = ReturnType<typeof suite>;
let made: Record<IdentifierKind, Suite> | null = null;
/** Made on first use: building them costs ~50 ms of precomputation that `parley run` does not need to start. */
const suites = () => (made ??= { email: suite('email'), phone: suite('phone') });

export interface OprfKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** An OPRF key pair derived from a 32-byte seed (RFC 9497 DeriveKeyPair). */
export function deriveOprfKeyPair(seed: Uint8Array): OprfKeyPair {
  // The key must serve both kinds: DeriveKeyPair does not depend on the POPRF info.
  return suites().email.deriveKeyPair(seed, Buffer.from('parley/attestor-oprf/1'));
}

/** Attestor side: the lookup key of an identifier it was given in clear (sign-up only). */
export function evaluateIdentifier(secretKey: Uint8Array, id: Identifier): Buffer {
  return Buffer.from(suites()[id.kind].evaluate(secretKey, Buffer.from(id.value, 'utf8')));
}

/** Attestor side: evaluates blinded elements; throws on any element that is not a valid point. */
export function evaluateBlinded(secretKey: Uint8Array, kind: IdentifierKind, blinded: Uint8Array[]): { evaluated: Buffer[]; proof: Buffer } {
  const out = suites()[kind].blindEvaluateBatch(secretKey, blinded);
  return { evaluated: out.evaluated.map((e) => Buffer.from(e)), proof: Buffer.from(out.proof) };
}

export interface Blinded {
  readonly kind: IdentifierKind;
  readonly inputs: Buffer[];
  readonly blinds: Uint8Array[];
  readonly blinded: Buffer[];
  readonly tweakedKey: Uint8Array;
}

/** Client side: blinds identifiers of one kind for the attestor whose OPRF public key is `oprfKey`. */
export function blind(kind: IdentifierKind, values: string[], oprfKey: Uint8Array): Blinded {
  const s = suites()[kind];
  const inputs = values.map((v) => Buffer.from(v, 'utf8'));
  const blinds: Uint8Array[] = [];
  const blinded: Buffer[] = [];
  let tweakedKey: Uint8Array = new Uint8Array();
  for (const input of inputs) {
    const b = s.blind(input, oprfKey);
    blinds.push(b.blind);
    blinded.push(Buffer.from(b.blinded));
    tweakedKey = b.tweakedKey;
  }
  return { kind, inputs, blinds, blinded, tweakedKey };
}

/** Client side: checks the attestor's batch proof and turns its answers into lookup keys. */
export function finalize(b: Blinded, evaluated: Uint8Array[], proof: Uint8Array): Buffer[] {
  if (evaluated.length !== b.blinded.length) throw SignupError.BAD_PROOF();
  if (b.inputs.length === 0) return [];
  try {
    const items = b.inputs.map((input, i) => ({ input, blind: b.blinds[i]!, evaluated: evaluated[i]!, blinded: b.blinded[i]! }));
    return suites()
      [b.kind].finalizeBatch(items, proof, b.tweakedKey)
      .map((o) => Buffer.from(o));
  } catch {
    throw SignupError.BAD_PROOF();
  }
}

/** The BEP44 salt an attestation for `lookupKey` is stored under (32 bytes). */
export function attestationSalt(lookupKey: Uint8Array): Buffer {
  return namespacedHash('parley/attestation/salt/1', lookupKey);
}
