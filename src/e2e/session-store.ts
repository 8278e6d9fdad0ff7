import { SessionRecord, SessionStore, type ProtocolAddress } from '@signalapp/libsignal-client';
import type { Db } from '../store/index.js';
import { u8 } from '../wire/bytes.js';

const key = (a: ProtocolAddress) => `${a.name()}.${a.deviceId()}`;

/** libsignal's session store over the `signal_sessions` table. */
export class SqlSessionStore extends SessionStore {
  constructor(private readonly db: Db) {
    super();
  }
  async saveSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO signal_sessions (address, record) VALUES (?, ?) ON CONFLICT(address) DO UPDATE SET record = excluded.record')
      .run(key(address), Buffer.from(record.serialize()));
  }
  async getSession(address: ProtocolAddress): Promise<SessionRecord | null> {
    const row = this.db.prepare('SELECT record FROM signal_sessions WHERE address = ?').get(key(address)) as { record: Buffer } | undefined;
    return row ? SessionRecord.deserialize(u8(row.record)) : null;
  }
  async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const a of addresses) {
      const s = await this.getSession(a);
      if (s) out.push(s);
    }
    return out;
  }
}
