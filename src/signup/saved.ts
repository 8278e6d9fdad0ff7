import { z } from 'zod';
import { stmt, getKv, setKv, writeTx, type Db } from '../store/index.js';
import { b64, toB64 } from '../wire/bytes.js';
import type { MutableRecord } from '../dht/index.js';
import * as api from './api.js';
import type { AttestorInfo } from './attestor-client.js';
import type { IdentifierKind } from './identifier.js';

/**
 * What a person's database remembers about sign-up, in the kv table (a few small rows, so no
 * migration): the sign-up waiting for its code, the attestors they trust (keys pinned at first
 * use), and their attestations (active, or withdrawn: then the record is the tombstone, kept
 * republished until the attestation would have expired). Never the email address or number.
 */
const PENDING = 'signup.pending';
const ATTESTORS = 'signup.attestors';
const ATTESTATIONS = 'signup.attestations';

const Pending = z.object({ attestor: z.string(), pending: z.string(), kind: z.enum(['email', 'phone']), expiresAt: z.number() });
export type SavedPending = z.infer<typeof Pending>;

const Pinned = z.object({ url: z.string(), signingKey: b64(32, 32), oprfKey: b64(32, 32) });
export type PinnedAttestor = Pick<AttestorInfo, 'url' | 'signingKey' | 'oprfKey'>;

const Saved = z.object({
  attestor: z.string(),
  kind: z.enum(['email', 'phone']),
  state: z.enum(['active', 'withdrawn']),
  expiresAt: z.number(),
  record: api.RecordJson,
});
export interface SavedAttestation {
  attestor: string;
  kind: IdentifierKind;
  state: 'active' | 'withdrawn';
  expiresAt: number;
  record: MutableRecord;
}

function read<S extends z.ZodType>(db: Db, key: string, schema: S): z.output<S> | undefined {
  const text = getKv(db, key);
  if (text === undefined) return undefined;
  const r = schema.safeParse(JSON.parse(text));
  return r.success ? r.data : undefined;
}

export function getPending(db: Db): SavedPending | undefined {
  return read(db, PENDING, Pending);
}

export function setPending(db: Db, p: SavedPending | null): void {
  if (p) setKv(db, PENDING, JSON.stringify(p));
  else stmt(db, 'DELETE FROM kv WHERE key = ?').run(PENDING);
}

export function pinnedAttestors(db: Db): PinnedAttestor[] {
  return read(db, ATTESTORS, z.array(Pinned)) ?? [];
}

export function pinAttestor(db: Db, a: PinnedAttestor): void {
  writeTx(db, () => {
    const list = pinnedAttestors(db).filter((p) => p.url !== a.url);
    list.push(a);
    setKv(db, ATTESTORS, JSON.stringify(list.map((p) => ({ url: p.url, signingKey: toB64(p.signingKey), oprfKey: toB64(p.oprfKey) }))));
  });
}

/** Forgets a pinned attestor (after its operator changed keys and the person checked the new ones). */
export function forgetAttestor(db: Db, url: string): boolean {
  return writeTx(db, () => {
    const list = pinnedAttestors(db);
    const kept = list.filter((p) => p.url !== url.replace(/\/+$/, ''));
    setKv(db, ATTESTORS, JSON.stringify(kept.map((p) => ({ url: p.url, signingKey: toB64(p.signingKey), oprfKey: toB64(p.oprfKey) }))));
    return kept.length !== list.length;
  });
}

export function savedAttestations(db: Db): SavedAttestation[] {
  return (read(db, ATTESTATIONS, z.array(Saved)) ?? []).map((s) => ({ ...s, record: api.recordFromJson(s.record) }));
}

/** Replaces the saved attestation with the same salt and attestor, or adds it; drops expired ones. */
export function saveAttestation(db: Db, a: SavedAttestation, nowSeconds: number): void {
  writeTx(db, () => {
    const same = (s: SavedAttestation) => s.record.publicKey.equals(a.record.publicKey) && s.record.salt.equals(a.record.salt);
    const list = savedAttestations(db).filter((s) => !same(s) && s.expiresAt > nowSeconds);
    list.push(a);
    setKv(db, ATTESTATIONS, JSON.stringify(list.map((s) => ({ ...s, record: api.recordToJson(s.record) }))));
  });
}
