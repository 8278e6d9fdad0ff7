import { closeSync, createReadStream, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ACTIVE_STATES, filePath, fileThumb, getFile, listFiles, type Db, type FileRow } from '../store/index.js';
import type { Content } from '../wire/content.js';
import type { FileChunkFrame } from '../wire/peer-frames.js';
import type { Router } from './router.js';
import { decryptChunks } from './files-crypto.js';
import { FileInbox } from './files-receive.js';
import { FileOutbox, type FileOutboxInit } from './files-send.js';
import { FileRemoval, type RemovedFile } from './files-remove.js';
import { FileDeletes } from './files-deletes.js';
import { EarlyDeletes } from './files-early-deletes.js';
import { prepareFile } from './files-image.js';
import { fileView, type FileView } from './files-view.js';
import { NodeError } from './errors.js';
import { parseId } from '../identity/index.js';

export interface NodeFilesComponents {
  db: Db;
  home: string;
  selfId: string;
  now: () => number;
  logger: Logger;
  router: () => Router | null;
  /** A transfer changed: its view (throttled for progress, at once for a new state). */
  emit: (view: FileView) => void;
  /** Files went for good (timer, delete, cleared conversation). */
  removed?: (files: RemovedFile[]) => void;
  freeBytes?: (path: string) => number;
}

const PROGRESS_MS = 200;

export interface SendOptions {
  /** Send an image's original bytes, with its location, camera and other details (off by default). */
  keepMetadata?: boolean;
}

/** File transfers of one node: send, receive, list, cancel, save (see files-send.ts, files-receive.ts). */
export class NodeFiles {
  readonly inbox: FileInbox;
  readonly #outbox: FileOutbox;
  readonly removal: FileRemoval;
  readonly #deletes: FileDeletes;
  readonly #send: (to: string, content: Content) => Promise<unknown>;
  readonly #c: NodeFilesComponents;
  readonly #last = new Map<string, { at: number; state: string }>();

  constructor(c: NodeFilesComponents, init: FileOutboxInit = {}) {
    this.#c = c;
    const send = async (to: string, content: Content) => {
      const router = c.router();
      if (!router) throw NodeError.NOT_STARTED();
      return router.send(to, [content]);
    };
    const sendChunk = async (to: string, frame: FileChunkFrame<Uint8Array>, seal: (frame: Buffer) => Buffer) => {
      const router = c.router();
      if (!router) throw NodeError.NOT_STARTED();
      return router.sendChunk(to, frame, seal);
    };
    this.#send = send;
    const changed = (id: string) => this.#changed(id);
    const early = new EarlyDeletes(c.db, c.now);
    this.removal = new FileRemoval({ db: c.db, home: c.home, removed: (r) => c.removed?.(r) });
    this.#deletes = new FileDeletes({ db: c.db, logger: c.logger, send });
    this.#outbox = new FileOutbox({ db: c.db, home: c.home, selfId: c.selfId, now: c.now, logger: c.logger, send, sendChunk, changed }, init);
    this.inbox = new FileInbox({
      db: c.db,
      home: c.home,
      now: c.now,
      logger: c.logger,
      send: async (to, content) => void (await send(to, content)),
      onAck: (id, have, miss) => this.#outbox.onAck(id, have, miss),
      onCancel: (id, why) => this.#outbox.onCancel(id, why),
      onDelete: (from, id) => {
        const here = getFile(c.db, id) !== undefined;
        if (!this.removal.deletedBySender(from, id)) return;
        // Not here (yet): its offer may still come, and is refused then. Remembered before the answer.
        if (!here) early.remember(from, id);
        void send(from, { v: 1, t: 'file-cancel', x: id, why: 'cancelled' }).catch(() => {}); // they ask again if lost
      },
      deletedEarly: (from, id) => early.has(from, id),
      onGone: (from, id) => this.#deletes.confirmed(from, id),
      changed,
      ...(c.freeBytes ? { freeBytes: c.freeBytes } : {}),
    });
  }

  start(): void {
    this.#outbox.start();
    this.inbox.resume();
    this.#deletes.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#outbox.stop(), this.#deletes.stop()]);
    await this.inbox.stop();
  }

  /**
   * Sends the file at `path` to a contact (encrypted into the home first); resolves once it is
   * offered. An image loses its location and camera details first unless `keepMetadata`.
   */
  async sendPath(to: string, path: string, mime?: string, opts: SendOptions = {}): Promise<FileView> {
    try {
      const p = await prepareFile(createReadStream(path), mime ?? 'application/octet-stream', opts);
      return fileView(await this.#outbox.send(to, p.source, { name: basename(path), mime: p.mime }, p));
    } catch (err) {
      if (NodeError.is(err)) throw err;
      throw NodeError.FILE_UNREADABLE((err as { code?: string }).code ?? 'read failed');
    }
  }

  /** Sends a stream (an upload) under `name`; never holds more than a chunk of it in memory (an image: itself, up to 64 MiB). */
  async sendStream(to: string, source: AsyncIterable<Buffer>, meta: { name: string; mime: string }, opts: SendOptions = {}): Promise<FileView> {
    const p = await prepareFile(source, meta.mime, opts);
    return fileView(await this.#outbox.send(to, p.source, { name: meta.name, mime: p.mime }, p));
  }

  /** Deletes for everyone the contacts have not confirmed yet (sent again until they do). */
  deletesWaiting(): number {
    return this.#deletes.pending().length;
  }

  /** An image's thumbnail (WebP, made by its sender; checked for its signature and size when it arrived). */
  thumbnail(id: string): Buffer {
    const thumb = fileThumb(this.#c.db, this.#row(id).id);
    if (!thumb?.length) throw NodeError.NO_THUMBNAIL();
    return thumb;
  }

  /**
   * Deletes a file from this device: its bytes, thumbnail and row. For everyone (only a file I
   * sent): the contact is told to delete their copy too. A transfer still under way stops.
   */
  delete(id: string, everyone = false): void {
    const row = this.#row(id);
    if (everyone && row.direction !== 'out') throw NodeError.NOT_YOUR_FILE();
    const active = ACTIVE_STATES.includes(row.state);
    this.removal.remove([row]);
    if (everyone) this.#deletes.add(row.contact_id, id);
    else if (active) void this.#outbox.tell(row.contact_id, { v: 1, t: 'file-cancel', x: id, why: 'cancelled' });
  }

  list(contactId?: string): FileView[] {
    return listFiles(this.#c.db, contactId ? parseId(contactId) : undefined).map(fileView);
  }

  get(id: string): FileView {
    return fileView(this.#row(id));
  }

  cancel(id: string): FileView {
    this.#row(id);
    this.inbox.close(id);
    return fileView(this.#outbox.cancel(id));
  }

  /** The plaintext of a whole file, decrypted chunk by chunk as it is read (for a download). */
  open(id: string): { view: FileView; stream: Readable } {
    const row = this.#ready(id);
    return { view: fileView(row), stream: Readable.from(decryptChunks(filePath(this.#c.home, id), row)) };
  }

  /** Decrypts a whole file to `dest` (a new file, or a folder to put it in under its name); returns the path written. */
  save(id: string, dest: string): string {
    const row = this.#ready(id);
    const target = existsSync(dest) && statSync(dest).isDirectory() ? join(dest, row.name) : dest;
    if (existsSync(target)) throw NodeError.FILE_EXISTS(target);
    const tmp = `${target}.parley-part`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const plain of decryptChunks(filePath(this.#c.home, id), row)) writeSync(fd, plain);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    renameSync(tmp, target);
    return target;
  }

  /** Test-only: sends a content about files just as given, once (to put a delete before its offer). */
  forTest(): { tell: (to: string, content: Content) => Promise<unknown> } {
    return { tell: (to, content) => this.#send(to, content) };
  }

  #row(id: string): FileRow {
    const row = /^[0-9a-f]{32}$/.test(id) ? getFile(this.#c.db, id) : undefined;
    if (!row) throw NodeError.NO_SUCH_FILE();
    return row;
  }

  #ready(id: string): FileRow {
    const row = this.#row(id);
    // A sent file is whole in the home as soon as it is prepared; a received one once it is complete.
    const whole = row.state === 'complete' || (row.direction === 'out' && row.state !== 'preparing' && existsSync(filePath(this.#c.home, id)));
    if (!whole) throw NodeError.FILE_NOT_READY(row.state);
    return row;
  }

  #changed(id: string): void {
    const row = getFile(this.#c.db, id);
    if (!row) return;
    const t = this.#c.now();
    const last = this.#last.get(id);
    if (last && last.state === row.state && t - last.at < PROGRESS_MS) return;
    this.#last.set(id, { at: t, state: row.state });
    this.#c.emit(fileView(row));
  }
}
