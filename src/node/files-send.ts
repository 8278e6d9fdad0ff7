import { createReadStream, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { parseId, randomBytes } from '../identity/index.js';
import type { RouteReceipt } from '../routing/receipt.js';
import {
  ACTIVE_STATES,
  activeFiles,
  filePath,
  getContact,
  getFile,
  insertFile,
  setFileAcked,
  setFilePrepared,
  setFileState,
  disappearSeconds,
  setFileExtras,
  relaxedTx,
  upsertContact,
  writeTx,
  type Db,
  type FileRow,
} from '../store/index.js';
import type { Content } from '../wire/content.js';
import { FILE_CHUNK_VERSION, type FileChunkFrame } from '../wire/peer-frames.js';
import { FILE_CHUNK_BYTES, MAX_FILE_BYTES, type CancelReason } from '../wire/file-content.js';
import { describeError } from '../wire/errors.js';
import { ChunkReader, encryptInto, mailKeyOf, newFileKey, sealForMail } from './files-crypto.js';
import { Pace } from './files-pace.js';
import { CANCEL_SENTENCES } from './files-view.js';
import { NodeError } from './errors.js';
import { offerExtras } from './files-extras.js';
import type { FileMetadata } from '../store/index.js';

/**
 * Bytes sent and not yet acknowledged. Direct, enough to keep a fast link busy between the
 * receiver's batches (files-receive.ts); relayed, what may wait in the recipient's relay mailbox
 * (4 MiB there) while they are away.
 */
export const WINDOW_BYTES = { direct: 32 * 1024 * 1024, relayed: 3 * 1024 * 1024 } as const;
/** Relayed chunks on their way to the relay at once (each send is answered when stored). */
const IN_FLIGHT = 16;
/** Bytes a chunk costs on a relay connection beyond its ciphertext: frame, seal, and a circuit's framing. */
const RELAY_OVERHEAD = { 'one-relay': 256, 'two-relays': 1024 } as const;

export interface FileOutboxComponents {
  db: Db;
  home: string;
  selfId: string;
  now: () => number;
  logger: Logger;
  /** Sends one content along the route the settings decide; resolves with the route it took. */
  send: (contactId: string, content: Content) => Promise<RouteReceipt>;
  /** Sends one chunk (outside Signal) along the same route; resolves once it left, `stored` once their relay holds it. */
  sendChunk: (contactId: string, frame: FileChunkFrame<Uint8Array>, seal: (frame: Buffer) => Buffer) => Promise<{ route: RouteReceipt; stored: Promise<void> }>;
  changed: (id: string) => void;
}

/** What a sent image adds (files-image.ts): its thumbnail, and whether its metadata was removed. */
export interface SendExtras {
  thumb?: Buffer | null;
  metadata?: FileMetadata | null;
}

export interface FileOutboxInit {
  /** How long without an answer before a transfer is said to wait for the recipient. */
  answerMs?: number;
  /** Relayed chunks, bytes per second and burst (below a relay's per-connection allowance). */
  relayBytesPerSecond?: number;
  relayBurst?: number;
  /** Direct chunks, bytes per second (a cap for a slow or metered link); unlimited when not set. */
  directBytesPerSecond?: number;
}

/**
 * The sending half of file transfers: the file is encrypted into the home first (so a restart, or
 * a changed original, cannot break it), then offered (in Signal, with the file key), then its
 * chunks go in order outside Signal, at most WINDOW_BYTES unacknowledged, along the contact's route,
 * until the receiver holds them all. Everything a
 * restart needs is in the database; progress is what the receiver acknowledged.
 */
export class FileOutbox {
  readonly #c: FileOutboxComponents;
  readonly #answerMs: number;
  readonly #pace: Pace;
  readonly #directPace: Pace | null;
  readonly #running = new Map<string, Promise<void>>();
  readonly #wake = new Map<string, () => void>();
  readonly #sentUpTo = new Map<string, number>();
  /** Bumped by every answer or cancel: the loop reads its row again only then (not once per chunk). */
  readonly #changes = new Map<string, number>();
  #stopped = true;

  constructor(c: FileOutboxComponents, init: FileOutboxInit = {}) {
    this.#c = c;
    this.#answerMs = init.answerMs ?? 8_000;
    this.#pace = new Pace(init.relayBytesPerSecond ?? 768 * 1024, init.relayBurst ?? 3 * 1024 * 1024);
    this.#directPace = init.directBytesPerSecond ? new Pace(init.directBytesPerSecond, Math.min(init.directBytesPerSecond, 1024 * 1024)) : null;
  }

  start(): void {
    this.#stopped = false;
    for (const f of activeFiles(this.#c.db)) {
      if (f.direction !== 'out') continue;
      if (f.state === 'preparing') {
        setFileState(this.#c.db, f.id, 'failed', 'Parley stopped while it was preparing this file; send it again', this.#c.now());
        rmSync(filePath(this.#c.home, f.id), { force: true });
        continue;
      }
      this.#run(f.id);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#wake.values()) wake();
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Encrypts the file into the home (streamed), then offers it; resolves once it is prepared. */
  async sendPath(to: string, path: string, mime = 'application/octet-stream'): Promise<FileRow> {
    return this.send(to, createReadStream(path), { name: basename(path), mime }).catch((err) => {
      if (NodeError.is(err)) throw err;
      throw NodeError.FILE_UNREADABLE((err as { code?: string }).code ?? 'read failed');
    });
  }

  async send(to: string, source: AsyncIterable<Buffer>, meta: { name: string; mime: string }, extras: SendExtras = {}): Promise<FileRow> {
    const { db, now } = this.#c;
    const id = parseId(to);
    if (id === this.#c.selfId) throw NodeError.SELF();
    const contact = getContact(db, id);
    if (!contact) throw NodeError.UNKNOWN_CONTACT();
    if (contact.state === 'blocked') throw NodeError.BLOCKED();
    const x = randomBytes(16).toString('hex');
    const key = newFileKey();
    writeTx(db, () => {
      if (contact.state === 'request') upsertContact(db, id, 'added', now());
      insertFile(db, {
        id: x,
        contact_id: id,
        direction: 'out',
        name: cleanName(meta.name),
        size: 0,
        mime: meta.mime.slice(0, 127) || 'application/octet-stream',
        hash: '',
        key,
        header: Buffer.alloc(0),
        chunk_size: FILE_CHUNK_BYTES,
        chunks: 0,
        state: 'preparing',
        created_at: now(),
      });
      // It disappears by the conversation's timer, like a message sent now (files-extras.ts).
      const ttl = disappearSeconds(db, id) || null;
      setFileExtras(db, x, { thumb: extras.thumb ?? null, metadata: extras.metadata ?? null, ttl, expires_at: ttl ? now() + ttl * 1000 : null });
    });
    this.#c.changed(x);
    try {
      const p = await encryptInto(source, filePath(this.#c.home, x), key, FILE_CHUNK_BYTES, MAX_FILE_BYTES);
      setFilePrepared(db, x, p, now());
    } catch (err) {
      setFileState(db, x, 'failed', NodeError.is(err) ? err.message : 'the file could not be read', now());
      rmSync(filePath(this.#c.home, x), { force: true });
      this.#c.changed(x);
      throw err;
    }
    this.#c.changed(x);
    if (!this.#stopped) this.#run(x);
    return getFile(db, x)!;
  }

  /** The receiver holds `have` chunks (and, with `miss`, lost the next one: it goes again). */
  onAck(id: string, have: number, miss = false): void {
    const { db, now } = this.#c;
    const row = getFile(db, id);
    if (!row || !ACTIVE_STATES.includes(row.state)) return;
    if (miss) this.#sentUpTo.set(id, Math.max(have, row.done));
    // Progress lost to a power cut only means chunks sent again (the receiver answers where it is).
    relaxedTx(db, () => {
      setFileAcked(db, id, Math.min(have, row.chunks), now());
      if (have >= row.chunks) setFileState(db, id, 'complete', null, now());
      else if (row.state !== 'sending') setFileState(db, id, 'sending', null, now());
    });
    this.#c.changed(id);
    this.#changes.set(id, (this.#changes.get(id) ?? 0) + 1);
    this.#wake.get(id)?.();
  }

  onCancel(id: string, why: CancelReason): void {
    const row = getFile(this.#c.db, id);
    if (!row || !ACTIVE_STATES.includes(row.state)) return;
    setFileState(this.#c.db, id, why === 'cancelled' ? 'cancelled' : why === 'failed' ? 'failed' : 'refused', CANCEL_SENTENCES[why], this.#c.now());
    this.#c.changed(id);
    this.#changes.set(id, (this.#changes.get(id) ?? 0) + 1);
    this.#wake.get(id)?.();
  }

  /** Stops a transfer either way; the other side is told (once it can be reached). */
  cancel(id: string): FileRow {
    const { db, now } = this.#c;
    const row = getFile(db, id);
    if (!row) throw NodeError.NO_SUCH_FILE();
    if (!ACTIVE_STATES.includes(row.state)) return row;
    setFileState(db, id, 'cancelled', 'you cancelled it', now());
    rmSync(filePath(this.#c.home, id), { force: true });
    this.#c.changed(id);
    this.#changes.set(id, (this.#changes.get(id) ?? 0) + 1);
    this.#wake.get(id)?.();
    void this.#tell(row.contact_id, { v: 1, t: 'file-cancel', x: id, why: 'cancelled' });
    return getFile(db, id)!;
  }

  /** Tells the contact something about a file, trying a few times (a file deleted here while under way). */
  tell(to: string, content: Content): Promise<void> {
    return this.#tell(to, content);
  }

  async #tell(to: string, content: Content, tries = 5): Promise<void> {
    for (let i = 0; i < tries && !this.#stopped; i++) {
      try {
        await this.#c.send(to, content);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 1000 * 2 ** i).unref());
      }
    }
  }

  #run(id: string): void {
    if (this.#running.has(id)) return;
    const reader = new ChunkReader(filePath(this.#c.home, id));
    const p = this.#loop(id, reader)
      .catch((err) => this.#c.logger.warn({ err: describeError(err) }, 'a file transfer stopped'))
      .finally(() => {
        reader.close();
        this.#running.delete(id);
      });
    this.#running.set(id, p);
  }

  /** Waits up to `ms` or until an answer (ack, cancel) or stop wakes it; true when woken. */
  #sleep(id: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        if (this.#wake.get(id) === wake) this.#wake.delete(id);
        resolve(woken);
      };
      const wake = () => done(true);
      this.#wake.set(id, wake);
    });
  }

  async #loop(id: string, reader: ChunkReader): Promise<void> {
    const { db, now } = this.#c;
    let backoff = 500;
    let route: RouteReceipt | null = null;
    let silent = 0;
    /** Nothing was ever answered: the offer itself may be what got lost (a direct link that dropped). */
    let offerAgain = false;
    const inFlight = new InFlight();
    let cached: FileRow | undefined;
    let cachedAt = -1;
    let sealKey: Buffer | undefined;
    const wait = (reason: string) => {
      cached = undefined;
      const row = getFile(db, id);
      if (row && ACTIVE_STATES.includes(row.state) && (row.state !== 'waiting' || row.reason !== reason)) {
        setFileState(db, id, row.state === 'offering' ? 'offering' : 'waiting', reason, now());
        this.#c.changed(id);
      }
    };
    while (!this.#stopped) {
      const at = this.#changes.get(id) ?? 0;
      const row = cached && cachedAt === at ? cached : getFile(db, id);
      [cached, cachedAt] = [row, at];
      if (!row || !ACTIVE_STATES.includes(row.state)) return;
      if (row.state === 'offering') {
        try {
          route = await this.#c.send(row.contact_id, offerOf(row, now(), offerExtras(db, id)));
          backoff = 500;
        } catch (err) {
          wait(`the file waits until they can be reached (${describeError(err)})`);
          await this.#sleep(id, (backoff = Math.min(backoff * 2, 30_000)));
          continue;
        }
        // The chunks follow at once (an offline recipient finds them all in their mailbox); a
        // refusal stops the rest.
        if (getFile(db, id)?.state === 'offering') setFileState(db, id, 'sending', null, now());
        cached = undefined;
        continue;
      }
      if (offerAgain) {
        offerAgain = false;
        await this.#c.send(row.contact_id, offerOf(row, now(), offerExtras(db, id))).catch(() => {});
      }
      if (inFlight.failed) {
        const err = inFlight.failed;
        inFlight.failed = null;
        wait(`the file waits until they can be reached (${describeError(err)})`);
        this.#sentUpTo.set(id, row.done);
        await this.#sleep(id, (backoff = Math.min(backoff * 2, 30_000)));
        continue;
      }
      const next = Math.max(this.#sentUpTo.get(id) ?? row.done, row.done);
      const windowChunks = Math.max(1, Math.floor(WINDOW_BYTES[route?.route === 'direct' ? 'direct' : 'relayed'] / row.chunk_size));
      if (next < row.chunks && next - row.done < windowChunks) {
        try {
          if (route?.route !== 'direct') {
            await inFlight.room(IN_FLIGHT);
            await this.#pace.take(row.chunk_size + RELAY_OVERHEAD[route?.route === 'one-relay' ? 'one-relay' : 'two-relays']);
          } else await this.#directPace?.take(row.chunk_size);
          const d = reader.read(next, row.size, row.chunk_size);
          this.#sentUpTo.set(id, next);
          const mailKey = (sealKey ??= mailKeyOf(row.key));
          const sent = await this.#c.sendChunk(row.contact_id, { v: FILE_CHUNK_VERSION, t: 'file-chunk', x: id, i: next, d }, (f) => sealForMail(mailKey, f));
          route = sent.route;
          inFlight.add(sent.stored, () => this.#wake.get(id)?.());
          // Unless an answer meanwhile asked to go back to an earlier chunk.
          if (this.#sentUpTo.get(id) === next) this.#sentUpTo.set(id, next + 1);
          backoff = 500;
        } catch (err) {
          if (NodeError.is(err) && err.code === 'FILE_DAMAGED') throw err;
          wait(`the file waits until they can be reached (${describeError(err)})`);
          this.#sentUpTo.set(id, row.done);
          await this.#sleep(id, (backoff = Math.min(backoff * 2, 30_000)));
        }
        continue;
      }
      const before = row.done;
      const woken = await this.#sleep(id, this.#answerMs);
      const after = getFile(db, id);
      if (woken || !after || after.done !== before) {
        silent = 0;
        continue;
      }
      wait(waitingSentence(route, (next - before) * row.chunk_size));
      // Nothing acknowledged for a while: chunks over a direct link may be lost with it, so go back
      // to the first unacknowledged; on relayed routes they wait in the mailbox, so only now and then.
      if (route?.route === 'direct' || ++silent >= 8) {
        this.#sentUpTo.set(id, before);
        offerAgain = before === 0;
        silent = 0;
      }
    }
  }
}

/** Relayed sends not yet stored by the relay: bounded, and the first failure kept for the loop to see. */
class InFlight {
  readonly #pending = new Set<Promise<void>>();
  failed: unknown = null;

  add(stored: Promise<void>, onFail: () => void): void {
    const p = stored.then(
      () => void this.#pending.delete(p),
      (err: unknown) => {
        this.#pending.delete(p);
        this.failed ??= err;
        onFail();
      },
    );
    this.#pending.add(p);
  }

  /** Resolves once fewer than `max` are pending. */
  async room(max: number): Promise<void> {
    while (this.#pending.size >= max) await Promise.race(this.#pending);
  }
}

function offerOf(f: FileRow, at: number, extras: ReturnType<typeof offerExtras>): Content {
  return {
    v: 1,
    t: 'file',
    x: f.id,
    name: f.name,
    size: f.size,
    mime: f.mime,
    hash: f.hash,
    key: f.key.toString('base64'),
    header: f.header.toString('base64'),
    cs: f.chunk_size,
    n: f.chunks,
    at,
    ...extras,
  };
}

function waitingSentence(route: RouteReceipt | null, inMailbox: number): string {
  if (route && route.route !== 'direct' && inMailbox > 0) {
    return `the file waits for the recipient to come online (${(inMailbox / 1024 / 1024).toFixed(1)} MiB wait in their relay's mailbox)`;
  }
  return 'the file waits for the recipient to come online';
}

/** A file name as it travels: no folders, no control characters, at most 255 characters. */
export function cleanName(name: string): string {
  const clean = basename(name.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return (clean || 'file').slice(0, 255);
}
