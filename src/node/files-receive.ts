import { rmSync, statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Then } from '../e2e/index.js';
import type { ContactRow, Db, FileRow } from '../store/index.js';
import { activeFiles, filePath, getFile, insertFile, setFileReceived, setFileState } from '../store/index.js';
import type { Content } from '../wire/content.js';
import { FILE_CHUNK_BYTES, MAX_FILE_BYTES, type CancelReason, type FileContent } from '../wire/file-content.js';
import { describeError } from '../wire/errors.js';
import { peerCodec, type FileChunkFrame } from '../wire/peer-frames.js';
import { hashOf, mailKeyOf, openFromMail, startPull } from './files-crypto.js';
import { Rx, type Took } from './files-rx.js';
import { CANCEL_SENTENCES } from './files-view.js';
import { extrasOfOffer } from './files-extras.js';
import { setFileExtras } from '../store/index.js';

/** Room left on the disk beyond a received file, so a file never fills the disk the database needs. */
export const DISK_MARGIN_BYTES = 64 * 1024 * 1024;
/**
 * Received chunks reach the database (and are acknowledged) in batches of this many bytes, or once
 * none came for BATCH_IDLE_MS; the sender keeps a window of unacknowledged ones, larger than a batch
 * (files-send.ts): on a direct link a batch costs a sync and a Signal ack, so it is large; through
 * a mailbox it stays well below the 4 MiB the relay keeps for me.
 */
export const BATCH_BYTES = { direct: 8 * 1024 * 1024, mailbox: 1024 * 1024 } as const;
const BATCH_IDLE_MS = 100;
const REACK_MS = 1000;
/** Copies of one chunk that did not open before the transfer is given up as damaged. */
const REFUSALS = 4;
export const REFUSED_CHUNK =
  "refused a chunk of a file that does not open with that file's key (another file's, out of place, or changed on the way); nothing was written, the sender sends it again";

export interface FileInboxComponents {
  db: Db;
  home: string;
  now: () => number;
  logger: Logger;
  /** Sends a content to the contact along the route their settings decide (acks and cancels). */
  send: (contactId: string, content: Content) => Promise<void>;
  /** A sent file's receiver answered: `have` chunks held, or it cancelled / refused. */
  onAck: (id: string, have: number, miss: boolean) => void;
  onCancel: (id: string, why: CancelReason) => void;
  /** The sender deleted a file for everyone (files-remove.ts checks it is theirs). */
  onDelete: (from: string, id: string) => void;
  /** Whether the sender deleted this file for everyone before its offer came (files-early-deletes.ts). */
  deletedEarly?: (from: string, id: string) => boolean;
  /** A cancel came for a file not here (the answer to a delete for everyone, files-deletes.ts). */
  onGone: (from: string, id: string) => void;
  /** A transfer changed (state or progress). */
  changed: (id: string) => void;
  /** Free bytes on the disk of the home (the statfs of the node by default). */
  freeBytes?: (path: string) => number;
}

export interface FileHandled {
  then?: Then;
  after?: () => void;
}

/**
 * The receiving half of file transfers: offers, acks and cancels come as contents inside the
 * decryption's transaction; chunks come outside Signal (`onChunk`) and are written (still encrypted
 * with the file key) as they come, their progress recorded in batches, so a crash means the chunks
 * since the last batch come again, never a hole.
 */
export class FileInbox {
  readonly #c: FileInboxComponents;
  readonly #reacked = new Map<string, number>();
  /** Files being received, open between chunks (files-rx.ts). */
  readonly #open = new Map<string, Rx>();
  readonly #refused = new Map<string, { i: number; n: number }>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** The mailbox key of every file being received (files-crypto.ts `mailKeyOf`). */
  readonly #mailKeys = new Map<string, Buffer>();
  /** Between stop and the next resume, chunks are not taken (what comes comes again). */
  #stopped = false;

  constructor(c: FileInboxComponents) {
    this.#c = c;
    // Known before my relay connects: what it pushes at once after a restart opens.
    for (const f of activeFiles(c.db)) if (f.direction === 'in' && f.state === 'receiving') this.#mailKeys.set(f.id, mailKeyOf(f.key));
  }

  /** Finishes what a restart interrupted: a file whose chunks all arrived but whose check did not end. */
  resume(): void {
    this.#stopped = false;
    for (const f of activeFiles(this.#c.db)) {
      if (f.direction === 'in' && f.state === 'receiving' && f.done === f.chunks) void this.#finish(f.id).catch(() => {});
    }
  }

  /** Records what arrived since the last batch and closes every open file (the node stops). */
  async stop(): Promise<void> {
    this.#stopped = true;
    const open = [...this.#open.entries()];
    await Promise.allSettled(open.map(([, rx]) => rx.flush(this.#c.db, this.#c.now, true)));
    for (const [id] of open) this.#close(id);
  }

  handle(from: string, known: ContactRow | undefined, content: FileContent): FileHandled {
    switch (content.t) {
      case 'file':
        return this.#offer(from, known, content);
      case 'file-ack': {
        const row = getFile(this.#c.db, content.x);
        if (!row || row.direction !== 'out' || row.contact_id !== from) return {};
        // An ack lost to a power cut is recovered by the next one (or the sender sending again): no fsync.
        return { then: { write: () => {}, relaxed: true }, after: () => this.#c.onAck(content.x, content.have, content.miss === true) };
      }
      case 'file-delete':
        return known?.state === 'added' ? { after: () => this.#c.onDelete(from, content.x) } : {};
      case 'file-cancel': {
        const row = getFile(this.#c.db, content.x);
        if (!row) return { after: () => this.#c.onGone(from, content.x) };
        if (row.contact_id !== from) return {};
        if (row.direction === 'out') return { after: () => this.#c.onCancel(content.x, content.why) };
        if (row.state !== 'receiving') return {};
        return {
          then: { write: () => setFileState(this.#c.db, row.id, 'cancelled', CANCEL_SENTENCES.cancelled, this.#c.now()) },
          after: () => {
            this.#close(row.id);
            rmSync(filePath(this.#c.home, row.id), { force: true });
            this.#c.changed(row.id);
          },
        };
      }
    }
  }

  #offer(from: string, known: ContactRow | undefined, o: Extract<FileContent, { t: 'file' }>): FileHandled {
    const { db, now } = this.#c;
    const existing = getFile(db, o.x);
    if (existing) {
      if (existing.contact_id !== from) return {};
      return { after: () => this.#answer(existing) };
    }
    const refuse = (why: CancelReason): FileHandled => ({ after: () => this.#reply(from, { v: 1, t: 'file-cancel', x: o.x, why }) });
    // Its sender deleted it for everyone before this offer came: it never appears.
    if (this.#c.deletedEarly?.(from, o.x)) return refuse('cancelled');
    // Files come only from contacts I added (a stranger's request carries text, not files).
    if (known?.state !== 'added') return refuse('refused');
    if (o.size > MAX_FILE_BYTES || o.n !== Math.max(1, Math.ceil(o.size / o.cs)) || o.cs > FILE_CHUNK_BYTES) return refuse('too-large');
    const room = this.#free() >= o.size + DISK_MARGIN_BYTES;
    const row = {
      id: o.x,
      contact_id: from,
      direction: 'in' as const,
      name: o.name,
      size: o.size,
      mime: o.mime,
      hash: o.hash,
      key: Buffer.from(o.key, 'base64'),
      header: Buffer.from(o.header, 'base64'),
      chunk_size: o.cs,
      chunks: o.n,
      state: room ? ('receiving' as const) : ('refused' as const),
      created_at: now(),
    };
    const write = () => {
      insertFile(db, row);
      setFileExtras(db, row.id, extrasOfOffer(o, now()));
      if (room) setFileReceived(db, row.id, 0, startPull(row.key, row.header), now());
      else setFileState(db, row.id, 'refused', 'there was no room on this disk for it', now());
    };
    return {
      then: { write },
      after: () => {
        this.#c.changed(row.id);
        if (room) this.#mailKeys.set(row.id, mailKeyOf(row.key));
        if (room) this.#reply(from, { v: 1, t: 'file-ack', x: row.id, have: 0 });
        else this.#reply(from, { v: 1, t: 'file-cancel', x: row.id, why: 'no-space' });
      },
    };
  }

  /** The chunk in a mail item, if it is one of a file being received here (opened with that file's mailbox key). */
  openMail(item: Buffer): FileChunkFrame | null {
    for (const [id, key] of this.#mailKeys) {
      const bytes = openFromMail(key, item);
      if (!bytes) continue;
      try {
        const frame = peerCodec.decode(bytes);
        return frame.t === 'file-chunk' && frame.x === id ? frame : null;
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * A chunk, from a direct link or my mailbox (outside Signal: the file key proves it the sender's).
   * Taken in order into the open file; a repeat or one ahead of a gap gets an answer saying where
   * this side stands; one that does not open is refused, and only after REFUSALS copies of the same
   * chunk is the transfer given up. Nothing is written for a chunk that is not taken.
   */
  onChunk(ch: FileChunkFrame, via: 'direct' | 'mailbox'): void {
    if (this.#stopped) return;
    // An open file is one being received: every way out of 'receiving' closes it (see #close).
    let rx = this.#open.get(ch.x);
    const row = rx?.row ?? getFile(this.#c.db, ch.x);
    if (!row || row.direction !== 'in') return;
    if (row.state !== 'receiving') return this.#answer(row, true);
    if (!rx) {
      if (row.done === row.chunks) return; // being checked: the answer follows
      const opened = (() => {
        try {
          return Rx.open(this.#c.home, row);
        } catch {
          return null;
        }
      })();
      if (!opened) return this.#failNow(row);
      this.#open.set(row.id, (rx = opened));
    }
    let took: Took;
    try {
      took = rx.take(ch.i, ch.d);
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'could not write a received chunk');
      return this.#failNow(row);
    }
    if (took === 'out-of-place') {
      // Whatever was taken is recorded first: an answer never names chunks a crash could lose.
      return this.#persist(row.id, () => this.#answer(row, true, ch.i > rx.done));
    }
    if (took === 'refused') {
      const r = this.#refused.get(row.id);
      const n = r && r.i === ch.i ? r.n + 1 : 1;
      this.#refused.set(row.id, { i: ch.i, n });
      this.#c.logger.warn({ chunk: ch.i, copies: n }, REFUSED_CHUNK);
      if (n >= REFUSALS) return this.#failNow(row);
      return this.#persist(row.id, () => this.#answer(row, true, true));
    }
    if (rx.whole) {
      return this.#persist(row.id, () => {
        this.#close(row.id);
        this.#finish(row.id, rx.digest()).catch((err) => this.#c.logger.warn({ err: describeError(err) }, 'could not finish a received file'));
      });
    }
    this.#persistLater(row.id, rx, BATCH_BYTES[via]);
  }

  /**
   * Records the chunks taken so far (written and synced off the event loop), then tells the
   * sender, who may then send further, or (`after`) does what waited for the record instead.
   */
  #persist(id: string, after?: () => void): void {
    const rx = this.#open.get(id);
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    if (!rx) return after?.();
    rx.flush(this.#c.db, this.#c.now, after !== undefined).then(
      (recorded) => {
        if (recorded) this.#c.changed(id);
        if (after) return after();
        if (recorded) this.#reply(rx.row.contact_id, { v: 1, t: 'file-ack', x: id, have: rx.saved });
        if (this.#open.get(id) === rx && rx.done > rx.asked) this.#persistLater(id, rx);
      },
      (err: unknown) => {
        this.#c.logger.warn({ err: describeError(err) }, 'could not store a received file');
        const row = getFile(this.#c.db, id);
        if (row?.state === 'receiving') this.#failNow(row);
      },
    );
  }

  /** A flush once `batch` bytes wait for one (beyond what was asked already), or after a pause. */
  #persistLater(id: string, rx: Rx, batch = Infinity): void {
    if ((rx.done - rx.asked) * rx.row.chunk_size >= batch) return this.#persist(id);
    if (this.#timers.has(id)) return;
    const t = setTimeout(() => {
      this.#timers.delete(id);
      this.#persist(id);
    }, BATCH_IDLE_MS);
    t.unref();
    this.#timers.set(id, t);
  }

  /** Closes a file being received (it was cancelled, failed or is whole); what is not recorded is dropped. */
  close(id: string): void {
    this.#close(id);
  }

  #close(id: string): void {
    if (getFile(this.#c.db, id)?.state !== 'receiving') this.#mailKeys.delete(id);
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.#refused.delete(id);
    this.#open.get(id)?.close();
    this.#open.delete(id);
  }

  /** The whole file arrived: its plaintext hash (kept as it came, or read again after a restart) must be the one the offer named. */
  async #finish(id: string, digest?: string): Promise<void> {
    const { db, home, now } = this.#c;
    const row = getFile(db, id)!;
    let ok = false;
    try {
      ok = (digest ?? (await hashOf(filePath(home, id), row))) === row.hash;
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'a received file did not verify');
    }
    if (getFile(db, id)?.state !== 'receiving') return; // cancelled while it was checked
    if (!ok) return void this.#failNow(row);
    setFileState(db, id, 'complete', null, now());
    this.#c.changed(id);
    this.#reply(row.contact_id, { v: 1, t: 'file-ack', x: id, have: row.chunks });
  }

  #failNow(row: FileRow, write = true): void {
    this.#close(row.id);
    if (write) setFileState(this.#c.db, row.id, 'failed', CANCEL_SENTENCES.failed, this.#c.now());
    rmSync(filePath(this.#c.home, row.id), { force: true });
    this.#c.changed(row.id);
    this.#reply(row.contact_id, { v: 1, t: 'file-cancel', x: row.id, why: 'failed' });
  }

  /** Tells the sender where this transfer stands (throttled when `repeat`: one answer a second is enough). */
  #answer(row: FileRow, repeat = false, miss = false): void {
    if (repeat) {
      const t = this.#c.now();
      if ((this.#reacked.get(row.id) ?? 0) + REACK_MS > t) return;
      this.#reacked.set(row.id, t);
    }
    const current = getFile(this.#c.db, row.id) ?? row;
    if (current.state === 'receiving' && current.done === current.chunks) return; // being checked: the answer follows
    if (current.state === 'receiving') return this.#reply(row.contact_id, { v: 1, t: 'file-ack', x: row.id, have: current.done, ...(miss ? { miss } : {}) });
    if (current.state === 'complete') return this.#reply(row.contact_id, { v: 1, t: 'file-ack', x: row.id, have: current.chunks });
    const why: CancelReason = current.state === 'refused' ? 'no-space' : current.state === 'failed' ? 'failed' : 'cancelled';
    this.#reply(row.contact_id, { v: 1, t: 'file-cancel', x: row.id, why });
  }

  #reply(to: string, content: Content): void {
    this.#c.send(to, content).catch((err) => this.#c.logger.info({ err: describeError(err) }, 'could not answer about a file; the sender asks again'));
  }

  #free(): number {
    if (this.#c.freeBytes) return this.#c.freeBytes(this.#c.home);
    const s = statfsSync(this.#c.home);
    return s.bavail * s.bsize;
  }
}
