import { rmSync, statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Then } from '../e2e/index.js';
import type { ContactRow, Db, FileRow } from '../store/index.js';
import { activeFiles, filePath, getFile, insertFile, setFileReceived, setFileState } from '../store/index.js';
import type { Content } from '../wire/content.js';
import { FILE_CHUNK_BYTES, MAX_FILE_BYTES, type CancelReason, type FileContent } from '../wire/file-content.js';
import { describeError } from '../wire/errors.js';
import { hashOf, pullChunk, startPull, writeChunkAt } from './files-crypto.js';
import { CANCEL_SENTENCES } from './files-view.js';
import { extrasOfOffer } from './files-extras.js';
import { setFileExtras } from '../store/index.js';

/** Room left on the disk beyond a received file, so a file never fills the disk the database needs. */
export const DISK_MARGIN_BYTES = 64 * 1024 * 1024;
/** The receiver acknowledges every this many chunks (and the last); the sender keeps a window of unacknowledged ones. */
export const ACK_EVERY = 8;
const REACK_MS = 1000;

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
 * The receiving half of file transfers, called with each file content inside the decryption's
 * transaction: a chunk is written (still encrypted with the file key) and the progress recorded in
 * the same step as the Signal session, so a crash means the chunk comes again, never a hole.
 */
export class FileInbox {
  readonly #c: FileInboxComponents;
  readonly #reacked = new Map<string, number>();

  constructor(c: FileInboxComponents) {
    this.#c = c;
  }

  /** Finishes what a restart interrupted: a file whose chunks all arrived but whose check did not end. */
  resume(): void {
    for (const f of activeFiles(this.#c.db)) {
      if (f.direction === 'in' && f.state === 'receiving' && f.done === f.chunks) void this.#finish(f.id).catch(() => {});
    }
  }

  handle(from: string, known: ContactRow | undefined, content: FileContent): FileHandled {
    switch (content.t) {
      case 'file':
        return this.#offer(from, known, content);
      case 'file-chunk':
        return this.#chunk(from, content);
      case 'file-ack': {
        const row = getFile(this.#c.db, content.x);
        if (!row || row.direction !== 'out' || row.contact_id !== from) return {};
        return { after: () => this.#c.onAck(content.x, content.have, content.miss === true) };
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
        if (room) this.#reply(from, { v: 1, t: 'file-ack', x: row.id, have: 0 });
        else this.#reply(from, { v: 1, t: 'file-cancel', x: row.id, why: 'no-space' });
      },
    };
  }

  #chunk(from: string, ch: Extract<FileContent, { t: 'file-chunk' }>): FileHandled {
    const { db, home, now } = this.#c;
    const row = getFile(db, ch.x);
    if (!row || row.direction !== 'in' || row.contact_id !== from) return {};
    if (row.state !== 'receiving' || ch.i !== row.done) return { after: () => this.#answer(row, true, ch.i > row.done) }; // a repeat, or ahead of a gap
    const state = Buffer.from(row.pull_state!); // advanced on a copy: the row's changes only if the step commits
    const opened = pullChunk(state, Buffer.from(ch.d, 'base64'));
    const last = ch.i === row.chunks - 1;
    if (!opened || opened.final !== last) return this.#fail(row);
    const write = () => {
      writeChunkAt(filePath(home, row.id), ch.i, Buffer.from(ch.d, 'base64'), row.chunk_size);
      setFileReceived(db, row.id, ch.i + 1, state, now());
    };
    return {
      // Relaxed: a chunk lost to a power cut is sent again (the sender keeps it until acknowledged).
      then: { write, relaxed: true },
      after: () => {
        if (last) return void this.#finish(row.id).catch((err) => this.#c.logger.warn({ err: describeError(err) }, 'could not finish a received file'));
        this.#c.changed(row.id);
        if ((ch.i + 1) % ACK_EVERY === 0) this.#reply(from, { v: 1, t: 'file-ack', x: row.id, have: ch.i + 1 });
      },
    };
  }

  /** The whole file arrived: its plaintext hash must be the one the offer named. */
  async #finish(id: string): Promise<void> {
    const { db, home, now } = this.#c;
    const row = getFile(db, id)!;
    let ok = false;
    try {
      ok = (await hashOf(filePath(home, id), row)) === row.hash;
    } catch (err) {
      this.#c.logger.warn({ err: describeError(err) }, 'a received file did not verify');
    }
    if (getFile(db, id)?.state !== 'receiving') return; // cancelled while it was checked
    if (!ok) return void this.#failNow(row);
    setFileState(db, id, 'complete', null, now());
    this.#c.changed(id);
    this.#reply(row.contact_id, { v: 1, t: 'file-ack', x: id, have: row.chunks });
  }

  #fail(row: FileRow): FileHandled {
    return {
      then: { write: () => setFileState(this.#c.db, row.id, 'failed', CANCEL_SENTENCES.failed, this.#c.now()) },
      after: () => this.#failNow(row, false),
    };
  }

  #failNow(row: FileRow, write = true): void {
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
