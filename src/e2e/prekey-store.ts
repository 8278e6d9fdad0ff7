import {
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyRecord,
  PreKeyStore,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  type PublicKey,
} from '@signalapp/libsignal-client';
import { stmt, type Db } from '../store/index.js';
import { u8 } from '../wire/bytes.js';
import { E2EError } from './errors.js';
import { BatchSlot } from './batch.js';

function load(db: Db, slot: BatchSlot, table: string, id: number): Uint8Array<ArrayBuffer> {
  const bytes = slot.read(
    `${table}:${id}`,
    () => (stmt(db, `SELECT record FROM ${table} WHERE id = ?`).get(id) as { record: Buffer } | undefined)?.record ?? null,
  );
  if (!bytes) throw E2EError.DECRYPT_FAILED('the prekey it names was already used or never existed');
  return u8(bytes);
}

/** One-time prekeys: deleted once used (or, never used, after the grace period: see rotation.ts). */
export class SqlPreKeyStore extends PreKeyStore {
  constructor(
    private readonly db: Db,
    private readonly slot = new BatchSlot(),
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }
  async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    const bytes = Buffer.from(record.serialize());
    const at = this.now().getTime();
    this.slot.write(`signal_prekeys:${id}`, bytes, () =>
      stmt(this.db, 'INSERT OR REPLACE INTO signal_prekeys (id, record, created_at) VALUES (?, ?, ?)').run(id, bytes, at),
    );
  }
  async getPreKey(id: number): Promise<PreKeyRecord> {
    return PreKeyRecord.deserialize(load(this.db, this.slot, 'signal_prekeys', id));
  }
  async removePreKey(id: number): Promise<void> {
    this.slot.write(`signal_prekeys:${id}`, null, () => stmt(this.db, 'DELETE FROM signal_prekeys WHERE id = ?').run(id));
  }
}

export class SqlSignedPreKeyStore extends SignedPreKeyStore {
  constructor(
    private readonly db: Db,
    private readonly slot = new BatchSlot(),
  ) {
    super();
  }
  async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    const bytes = Buffer.from(record.serialize());
    this.slot.write(`signal_signed_prekeys:${id}`, bytes, () =>
      stmt(this.db, 'INSERT OR REPLACE INTO signal_signed_prekeys (id, record, created_at) VALUES (?, ?, ?)').run(id, bytes, record.timestamp()),
    );
  }
  async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    return SignedPreKeyRecord.deserialize(load(this.db, this.slot, 'signal_signed_prekeys', id));
  }
}

/** Kyber prekeys: one-time ones (handed out over a direct link) and last-resort ones (published). */
export class SqlKyberPreKeyStore extends KyberPreKeyStore {
  constructor(
    private readonly db: Db,
    private readonly slot = new BatchSlot(),
  ) {
    super();
  }
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
    const bytes = Buffer.from(record.serialize());
    this.slot.write(`signal_kyber_prekeys:${id}`, bytes, () =>
      stmt(this.db, 'INSERT OR REPLACE INTO signal_kyber_prekeys (id, record, created_at) VALUES (?, ?, ?)').run(id, bytes, record.timestamp()),
    );
  }
  async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    return KyberPreKeyRecord.deserialize(load(this.db, this.slot, 'signal_kyber_prekeys', id));
  }
  /** One-time Kyber prekeys are deleted; a last-resort one stays, and a base key seen twice is a replay. */
  async markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: PublicKey): Promise<void> {
    const deletedHere = this.slot.current?.has(`signal_kyber_prekeys:${id}`) && this.slot.current.get(`signal_kyber_prekeys:${id}`) === null;
    const row = deletedHere
      ? undefined
      : (stmt(this.db, 'SELECT last_resort FROM signal_kyber_prekeys WHERE id = ?').get(id) as { last_resort: number } | undefined);
    if (row && row.last_resort === 0) {
      this.slot.write(`signal_kyber_prekeys:${id}`, null, () => stmt(this.db, 'DELETE FROM signal_kyber_prekeys WHERE id = ?').run(id));
      return;
    }
    const base = Buffer.from(baseKey.serialize());
    const seenKey = `seen:${id}:${signedPreKeyId}:${base.toString('base64')}`;
    const seen = this.slot.read(seenKey, () =>
      stmt(this.db, 'SELECT 1 AS x FROM signal_kyber_base_keys_seen WHERE kyber_prekey_id = ? AND signed_prekey_id = ? AND base_key = ?').get(
        id,
        signedPreKeyId,
        base,
      )
        ? Buffer.alloc(1)
        : null,
    );
    if (seen) throw E2EError.DECRYPT_FAILED('a first-contact message was replayed');
    this.slot.write(seenKey, Buffer.alloc(1), () =>
      stmt(this.db, 'INSERT OR IGNORE INTO signal_kyber_base_keys_seen (kyber_prekey_id, signed_prekey_id, base_key) VALUES (?, ?, ?)').run(
        id,
        signedPreKeyId,
        base,
      ),
    );
  }
}
