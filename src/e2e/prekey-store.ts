import {
  KyberPreKeyRecord, KyberPreKeyStore, PreKeyRecord, PreKeyStore, SignedPreKeyRecord, SignedPreKeyStore, type PublicKey,
} from '@signalapp/libsignal-client';
import type { Db } from '../store/index.js';
import { u8 } from '../wire/bytes.js';
import { E2EError } from './errors.js';

function load(db: Db, table: string, id: number): Uint8Array<ArrayBuffer> {
  const row = db.prepare(`SELECT record FROM ${table} WHERE id = ?`).get(id) as { record: Buffer } | undefined;
  if (!row) throw E2EError.DECRYPT_FAILED('the prekey it names was already used or never existed');
  return u8(row.record);
}

/** One-time prekeys: deleted once used. */
export class SqlPreKeyStore extends PreKeyStore {
  constructor(private readonly db: Db) {
    super();
  }
  async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO signal_prekeys (id, record) VALUES (?, ?)').run(id, Buffer.from(record.serialize()));
  }
  async getPreKey(id: number): Promise<PreKeyRecord> {
    return PreKeyRecord.deserialize(load(this.db, 'signal_prekeys', id));
  }
  async removePreKey(id: number): Promise<void> {
    this.db.prepare('DELETE FROM signal_prekeys WHERE id = ?').run(id);
  }
}

export class SqlSignedPreKeyStore extends SignedPreKeyStore {
  constructor(private readonly db: Db) {
    super();
  }
  async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO signal_signed_prekeys (id, record, created_at) VALUES (?, ?, ?)')
      .run(id, Buffer.from(record.serialize()), record.timestamp());
  }
  async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    return SignedPreKeyRecord.deserialize(load(this.db, 'signal_signed_prekeys', id));
  }
}

/** Kyber prekeys: one-time ones (handed out over a direct link) and last-resort ones (published). */
export class SqlKyberPreKeyStore extends KyberPreKeyStore {
  constructor(private readonly db: Db) {
    super();
  }
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO signal_kyber_prekeys (id, record) VALUES (?, ?)').run(id, Buffer.from(record.serialize()));
  }
  async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    return KyberPreKeyRecord.deserialize(load(this.db, 'signal_kyber_prekeys', id));
  }
  /** One-time Kyber prekeys are deleted; a last-resort one stays, and a base key seen twice is a replay. */
  async markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: PublicKey): Promise<void> {
    if (this.db.prepare('DELETE FROM signal_kyber_prekeys WHERE id = ? AND last_resort = 0').run(id).changes === 1) return;
    const r = this.db
      .prepare('INSERT OR IGNORE INTO signal_kyber_base_keys_seen (kyber_prekey_id, signed_prekey_id, base_key) VALUES (?, ?, ?)')
      .run(id, signedPreKeyId, Buffer.from(baseKey.serialize()));
    if (r.changes === 0) throw E2EError.DECRYPT_FAILED('a first-contact message was replayed');
  }
}
