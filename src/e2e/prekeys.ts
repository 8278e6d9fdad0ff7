import { KEMKeyPair, KyberPreKeyRecord, PreKeyRecord, PrivateKey, SignedPreKeyRecord } from '@signalapp/libsignal-client';
import { stmt, getKv, setKv, type Db } from '../store/index.js';
import type { Identity } from '../identity/index.js';
import { toB64 } from '../wire/bytes.js';
import type { BundleJson } from './bundle.js';
import type { SqlKyberPreKeyStore, SqlPreKeyStore, SqlSignedPreKeyStore } from './prekey-store.js';

const SIGNED_PREKEY_MAX_AGE_MS = 7 * 24 * 3600_000;
const MAX_ID = 0xffffff;

function nextId(db: Db, name: string): number {
  const n = Number(getKv(db, `e2e.next.${name}`) ?? '1');
  setKv(db, `e2e.next.${name}`, String(n >= MAX_ID ? 1 : n + 1));
  return n;
}

/**
 * Mints a bundle with a signed prekey rotated weekly. `oneTime`: a fresh one-time EC prekey and
 * one-time Kyber prekey (handed to one asker). Otherwise a published bundle that many may use: no
 * one-time EC prekey and a last-resort Kyber prekey, whose uses are recorded to refuse replays.
 */
export async function mintBundle(
  db: Db,
  identity: Identity,
  stores: { prekeys: SqlPreKeyStore; signed: SqlSignedPreKeyStore; kyber: SqlKyberPreKeyStore },
  now: Date,
  oneTime = true,
): Promise<BundleJson> {
  const idKey = identity.signalPrivateKey();
  let signedId = Number(getKv(db, 'e2e.signed.current') ?? '0');
  let signed = signedId ? await stores.signed.getSignedPreKey(signedId).catch(() => null) : null;
  if (!signed || now.getTime() - signed.timestamp() > SIGNED_PREKEY_MAX_AGE_MS) {
    signedId = nextId(db, 'signed');
    const priv = PrivateKey.generate();
    signed = SignedPreKeyRecord.new(signedId, now.getTime(), priv.getPublicKey(), priv, idKey.sign(priv.getPublicKey().serialize()));
    await stores.signed.saveSignedPreKey(signedId, signed);
    setKv(db, 'e2e.signed.current', String(signedId));
  }
  let oneTimeKey = {};
  if (oneTime) {
    const preKeyId = nextId(db, 'prekey');
    const prePriv = PrivateKey.generate();
    await stores.prekeys.savePreKey(preKeyId, PreKeyRecord.new(preKeyId, prePriv.getPublicKey(), prePriv));
    oneTimeKey = { preKeyId, preKey: toB64(prePriv.getPublicKey().serialize()) };
  }
  const kyberId = nextId(db, 'kyber');
  const kem = KEMKeyPair.generate();
  const kyber = KyberPreKeyRecord.new(kyberId, now.getTime(), kem, idKey.sign(kem.getPublicKey().serialize()));
  await stores.kyber.saveKyberPreKey(kyberId, kyber);
  if (!oneTime) stmt(db, 'UPDATE signal_kyber_prekeys SET last_resort = 1 WHERE id = ?').run(kyberId);
  return {
    registrationId: identity.registrationId,
    deviceId: 1,
    ...oneTimeKey,
    signedPreKeyId: signedId,
    signedPreKey: toB64(signed.publicKey().serialize()),
    signedPreKeySignature: toB64(signed.signature()),
    identityKey: toB64(identity.signalIdentityPublic),
    kyberPreKeyId: kyberId,
    kyberPreKey: toB64(kem.getPublicKey().serialize()),
    kyberPreKeySignature: toB64(kyber.signature()),
    binding: toB64(identity.binding),
  };
}
