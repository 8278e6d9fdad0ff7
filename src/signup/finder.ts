import type { DhtNode } from '../dht/index.js';
import { blind, finalize, attestationSalt } from './oprf.js';
import { verifyAttestation, type VerifiedAttestation } from './attestation.js';
import { SignupError } from './errors.js';
import type { AttestorClient } from './attestor-client.js';
import type { PinnedAttestor } from './saved.js';
import { KINDS, type Identifier } from './identifier.js';

/**
 * Contact discovery: identifiers → lookup keys (blinded OPRF through the attestor, in batches, the
 * proof checked against the pinned OPRF key) → attestations in the DHT under the attestor's key.
 */
export async function lookupKeys(client: AttestorClient, attestor: PinnedAttestor, ids: Identifier[], maxBatch: number): Promise<Buffer[]> {
  const out: Buffer[] = new Array(ids.length);
  for (const kind of KINDS) {
    const idx = ids.flatMap((id, i) => (id.kind === kind ? [i] : []));
    for (let start = 0; start < idx.length; start += maxBatch) {
      const part = idx.slice(start, start + maxBatch);
      const b = blind(
        kind,
        part.map((i) => ids[i]!.value),
        attestor.oprfKey,
      );
      const { evaluated, proof } = await client.evaluate(kind, b.blinded);
      const keys = finalize(b, evaluated, proof);
      part.forEach((i, j) => (out[i] = keys[j]!));
    }
  }
  return out;
}

/** One lookup's outcome: the verified attestation, nothing there, or why what was there was rejected. */
export type Finding = { found: VerifiedAttestation } | { found: null; rejected?: SignupError };

export async function findAttestations(
  dht: Pick<DhtNode, 'getMutable'>,
  attestor: PinnedAttestor,
  keys: Buffer[],
  ctx: { trusted: readonly Buffer[]; nowSeconds: number; concurrency?: number },
): Promise<Finding[]> {
  if (!ctx.trusted.some((k) => k.equals(attestor.signingKey))) throw SignupError.UNKNOWN_ATTESTOR();
  const out: Finding[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await findOne(dht, attestor, keys[i]!, ctx);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency ?? 16, keys.length) }, worker));
  return out;
}

async function findOne(
  dht: Pick<DhtNode, 'getMutable'>,
  attestor: PinnedAttestor,
  lookupKey: Buffer,
  ctx: { trusted: readonly Buffer[]; nowSeconds: number },
): Promise<Finding> {
  const salt = attestationSalt(lookupKey);
  const { record, rejected } = await dht.getMutable(attestor.signingKey, salt);
  if (!record) return rejected.length > 0 ? { found: null, rejected: SignupError.BAD_SIGNATURE() } : { found: null };
  try {
    return { found: verifyAttestation(record, { trusted: ctx.trusted, salt, nowSeconds: ctx.nowSeconds }) };
  } catch (err) {
    if (SignupError.is(err)) return { found: null, rejected: err };
    throw err;
  }
}
