import { KEMKeyPair, KyberPreKeyRecord, PreKeyRecord, PrivateKey, SignedPreKeyRecord } from '@signalapp/libsignal-client';
import { getKv, setKv, type Db } from '../store/index.js';
import type { Identity } from '../identity/index.js';
import { toB64 } from '../wire/bytes.js';
import type { BundleJson } from './bundle.js';
import type { SqlKyberPreKeyStore, SqlPreKeyStore, SqlSignedPreKeyStore } from './prekey-store.js';
import { deleteExpiredPreKeys, markLastResort, retireKyberPreKey, retireSignedPreKey } from './prekey-ages.js';

/**
 * When prekeys rotate and how long replaced ones still open messages: a signed prekey and the
 * last-resort Kyber prekey are replaced weekly; a replaced one (and a one-time prekey nobody used)
 * is deleted 30 days later, past a relay mailbox's 7-day life and a sender's retries, so a
 * message encrypted to it before the rotation still opens, and one that comes later cannot.
 */
export const PREKEY_POLICY = {
  rotateMs: 7 * 24 * 3600_000,
  graceMs: 30 * 24 * 3600_000,
  /** One-time prekeys waiting to be used, at most; beyond it askers get the last-resort bundle. */
  maxOneTime: 100,
  /** One-time bundles one requester may mint per window. */
  perRequester: 4,
  windowMs: 3600_000,
  maxRequesters: 1024,
};

const MAX_ID = 0xffffff;
const SIGNED = 'e2e.signed.current';
const LAST_RESORT = 'e2e.kyber.lastResort';

export interface PrekeyStores {
  prekeys: SqlPreKeyStore;
  signed: SqlSignedPreKeyStore;
  kyber: SqlKyberPreKeyStore;
}

function nextId(db: Db, name: string): number {
  const n = Number(getKv(db, `e2e.next.${name}`) ?? '1');
  setKv(db, `e2e.next.${name}`, String(n >= MAX_ID ? 1 : n + 1));
  return n;
}

/**
 * Replaces the signed prekey and the last-resort Kyber prekey when they are older than the policy
 * allows (or missing), marks the old ones replaced, and deletes whatever the grace period is over
 * for. Returns true if the published bundle changed (it must then be published again).
 */
export async function rotatePrekeys(db: Db, identity: Identity, stores: PrekeyStores, now: Date, policy = PREKEY_POLICY): Promise<boolean> {
  const t = now.getTime();
  const idKey = identity.signalPrivateKey();
  let changed = false;
  const signedId = Number(getKv(db, SIGNED) ?? '0');
  const signed = signedId ? await stores.signed.getSignedPreKey(signedId).catch(() => null) : null;
  if (!signed || t - signed.timestamp() >= policy.rotateMs) {
    const id = nextId(db, 'signed');
    const priv = PrivateKey.generate();
    await stores.signed.saveSignedPreKey(id, SignedPreKeyRecord.new(id, t, priv.getPublicKey(), priv, idKey.sign(priv.getPublicKey().serialize())));
    setKv(db, SIGNED, String(id));
    if (signed) retireSignedPreKey(db, signedId, t);
    changed = true;
  }
  const kyberId = Number(getKv(db, LAST_RESORT) ?? '0');
  const kyber = kyberId ? await stores.kyber.getKyberPreKey(kyberId).catch(() => null) : null;
  if (!kyber || t - kyber.timestamp() >= policy.rotateMs) {
    const id = nextId(db, 'kyber');
    const kem = KEMKeyPair.generate();
    await stores.kyber.saveKyberPreKey(id, KyberPreKeyRecord.new(id, t, kem, idKey.sign(kem.getPublicKey().serialize())));
    markLastResort(db, id);
    setKv(db, LAST_RESORT, String(id));
    if (kyber) retireKyberPreKey(db, kyberId, t);
    changed = true;
  }
  deleteExpiredPreKeys(db, t - policy.graceMs);
  return changed;
}

/**
 * A bundle on the current signed prekey. `oneTime`: with a fresh one-time EC prekey and one-time
 * Kyber prekey (handed to one asker). Otherwise the published bundle that many may use: no one-time
 * EC prekey and the current last-resort Kyber prekey, whose uses are recorded to refuse replays.
 */
export async function mintBundle(db: Db, identity: Identity, stores: PrekeyStores, now: Date, oneTime = true, policy = PREKEY_POLICY): Promise<BundleJson> {
  await rotatePrekeys(db, identity, stores, now, policy);
  const signedId = Number(getKv(db, SIGNED));
  const signed = await stores.signed.getSignedPreKey(signedId);
  let oneTimeKey = {};
  let kyber: KyberPreKeyRecord;
  if (oneTime) {
    const idKey = identity.signalPrivateKey();
    const preKeyId = nextId(db, 'prekey');
    const prePriv = PrivateKey.generate();
    await stores.prekeys.savePreKey(preKeyId, PreKeyRecord.new(preKeyId, prePriv.getPublicKey(), prePriv));
    oneTimeKey = { preKeyId, preKey: toB64(prePriv.getPublicKey().serialize()) };
    const kyberId = nextId(db, 'kyber');
    const kem = KEMKeyPair.generate();
    kyber = KyberPreKeyRecord.new(kyberId, now.getTime(), kem, idKey.sign(kem.getPublicKey().serialize()));
    await stores.kyber.saveKyberPreKey(kyberId, kyber);
  } else {
    kyber = await stores.kyber.getKyberPreKey(Number(getKv(db, LAST_RESORT)));
  }
  return {
    registrationId: identity.registrationId,
    deviceId: 1,
    ...oneTimeKey,
    signedPreKeyId: signedId,
    signedPreKey: toB64(signed.publicKey().serialize()),
    signedPreKeySignature: toB64(signed.signature()),
    identityKey: toB64(identity.signalIdentityPublic),
    kyberPreKeyId: kyber.id(),
    kyberPreKey: toB64(kyber.publicKey().serialize()),
    kyberPreKeySignature: toB64(kyber.signature()),
    binding: toB64(identity.binding),
  };
}
