import pino, { type Logger } from 'pino';
import { DhtError, type DhtNode, type MutableRecord } from '../dht/index.js';
import type { Db } from '../store/index.js';
import { describeError } from '../wire/errors.js';
import { presigned } from './attestation.js';
import { savedAttestations } from './saved.js';

/**
 * Puts an attestor-signed record into the DHT as it is (the user cannot re-sign it, and need not).
 * A storing node that already holds this seq answers "seq too low": the record is there, which is
 * what a republish wants, so that counts as stored. Resolves to how many nodes took it (0: already held).
 */
export async function putSigned(dht: Pick<DhtNode, 'putMutable'>, record: MutableRecord): Promise<number> {
  try {
    return await dht.putMutable({ keyPair: presigned(record), salt: record.salt, value: record.value, seq: record.seq });
  } catch (err) {
    if (DhtError.is(err) && err.code === 'STALE_SEQ') return 0;
    throw err;
  }
}

export interface KeeperComponents {
  dht: Pick<DhtNode, 'putMutable'>;
  db: Db;
  logger?: Logger;
  now?: () => number;
}

/**
 * Keeps a person's attestations (and tombstones of withdrawn ones) in the DHT until they expire:
 * publishes each on start and whenever the saved set changes (checked every `pollMs`, so a CLI
 * `signup verify` beside a running node is picked up), and republishes all every `intervalMs`.
 */
export class AttestationKeeper {
  readonly #c: KeeperComponents;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;
  #published = new Map<string, number>();
  #running = false;
  #busy: Promise<void> | null = null;

  constructor(c: KeeperComponents, o: { intervalMs?: number; pollMs?: number } = {}) {
    this.#c = c;
    this.#logger = c.logger ?? pino({ level: 'silent' });
    this.#intervalMs = o.intervalMs ?? 30 * 60_000;
    this.#pollMs = o.pollMs ?? 5_000;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#busy;
  }

  /** Publishes whatever changed now, instead of at the next poll. */
  async refresh(): Promise<void> {
    await this.#busy;
    if (this.#running) await this.#tick();
  }

  #tick(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    const run = this.#publishDue().finally(() => {
      this.#busy = null;
      if (this.#running) this.#timer = setTimeout(() => void this.#tick(), this.#pollMs).unref();
    });
    this.#busy = run;
    return run;
  }

  async #publishDue(): Promise<void> {
    const now = (this.#c.now ?? Date.now)();
    const live = savedAttestations(this.#c.db).filter((s) => s.expiresAt > now / 1000);
    const keys = new Set<string>();
    for (const s of live) {
      const key = `${s.record.salt.toString('hex')}:${s.record.seq}`;
      keys.add(key);
      const last = this.#published.get(key);
      if (last !== undefined && now - last < this.#intervalMs) continue;
      try {
        await putSigned(this.#c.dht, s.record);
        this.#published.set(key, now);
      } catch (err) {
        this.#logger.warn({ err: describeError(err) }, 'could not publish an attestation; will retry');
      }
    }
    for (const k of this.#published.keys()) if (!keys.has(k)) this.#published.delete(k);
  }
}
