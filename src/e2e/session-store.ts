import { SessionRecord, SessionStore, type ProtocolAddress } from '@signalapp/libsignal-client';
import { stmt, type Db } from '../store/index.js';
import { u8 } from '../wire/bytes.js';
import { BatchSlot } from './batch.js';

const key = (a: ProtocolAddress) => `${a.name()}.${a.deviceId()}`;

/**
 * libsignal's session store over the `signal_sessions` table, with the stored bytes kept in memory
 * (read on every encrypt and decrypt; updated only once a write committed). This process is the
 * only writer while it runs (the home lock); `forget` drops what E2E changes in SQL directly.
 */
export class SqlSessionStore extends SessionStore {
  readonly #cache = new Map<string, Buffer | null>();
  constructor(
    private readonly db: Db,
    private readonly slot = new BatchSlot(),
  ) {
    super();
  }
  forget(address: string): void {
    this.#cache.delete(address);
  }
  async saveSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    const k = key(address);
    const bytes = Buffer.from(record.serialize());
    this.slot.write(
      `session:${k}`,
      bytes,
      () =>
        stmt(this.db, 'INSERT INTO signal_sessions (address, record) VALUES (?, ?) ON CONFLICT(address) DO UPDATE SET record = excluded.record').run(k, bytes),
      () => this.#cache.set(k, bytes),
    );
  }
  async getSession(address: ProtocolAddress): Promise<SessionRecord | null> {
    const k = key(address);
    const bytes = this.slot.read(`session:${k}`, () => {
      if (this.#cache.has(k)) return this.#cache.get(k)!;
      const stored = (stmt(this.db, 'SELECT record FROM signal_sessions WHERE address = ?').get(k) as { record: Buffer } | undefined)?.record ?? null;
      this.#cache.set(k, stored);
      return stored;
    });
    return bytes ? SessionRecord.deserialize(u8(bytes)) : null;
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
