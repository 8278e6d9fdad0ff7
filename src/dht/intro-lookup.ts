import { publicKeyOf, type Identity, type ParleyId } from '../identity/index.js';
import { DhtError } from './errors.js';
import type { DhtNode } from './dht-node.js';
import { encodeIntro, INTRO_SALT, verifyIntro, type IntroFields, type VerifiedIntro } from './intro-record.js';
import { introSeqsOf, type IntroSeqs } from './intro-seqs.js';

/** What a person chooses to publish; the Signal key and its binding come from their identity. */
export type IntroOptions = Omit<IntroFields, 'signalIdentityKey' | 'binding'>;

/** Publishes `identity`'s intro record with sequence number `seq`; resolves to how many nodes stored it. */
export async function publishIntro(
  dht: Pick<DhtNode, 'putMutable'>,
  identity: Pick<Identity, 'identityKey' | 'signalIdentityPublic' | 'binding'>,
  fields: IntroOptions,
  seq: number,
): Promise<number> {
  const value = encodeIntro({ ...fields, signalIdentityKey: identity.signalIdentityPublic, binding: identity.binding });
  return dht.putMutable({ keyPair: identity.identityKey, salt: INTRO_SALT, value, seq });
}

/**
 * Finds and verifies `id`'s intro record through the network (never a local cache).
 * NOT_FOUND when no node holds one; BAD_SIGNATURE / WRONG_KEY when every answer was forged (the
 * error's `rejected` lists each reason); otherwise whatever `verifyIntro` finds wrong, or
 * OLDER_RECORD when `seqs` (by default, this DHT client's memory) saw a higher seq for `id` before.
 */
export async function lookupIntro(
  dht: Pick<DhtNode, 'getMutable'>,
  id: ParleyId,
  nowSeconds: number,
  seqs: IntroSeqs = introSeqsOf(dht),
): Promise<VerifiedIntro> {
  const { record, rejected } = await dht.getMutable(publicKeyOf(id), INTRO_SALT);
  if (!record) throw rejected.length > 0 ? DhtError.REJECTED('intro record', rejected) : DhtError.NOT_FOUND('intro record');
  return seqs.accept(verifyIntro(id, record, nowSeconds));
}
