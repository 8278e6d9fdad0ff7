import sodium from 'sodium-native';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, writeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { CHUNK_OVERHEAD } from '../wire/file-content.js';
import { NodeError } from './errors.js';

/*
 * A file's chunks: one libsodium secretstream (XChaCha20-Poly1305) per file, under a random key;
 * chunk i is the stream's i-th message, the last tagged FINAL, so chunks are authenticated, kept in
 * order and cannot be cut short. On disk (sender's copy and receiver's) the chunks stay encrypted,
 * each at i × (chunk size + 17): a file at rest is as safe as its key, which lives in the database.
 */
const S = sodium;
const STATE = S.crypto_secretstream_xchacha20poly1305_STATEBYTES;
const HEADER = S.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
const TAG_MESSAGE = S.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
const TAG_FINAL = S.crypto_secretstream_xchacha20poly1305_TAG_FINAL;

const MAIL_KEY_CONTEXT = Buffer.from('parley/file-mail/1');
const NONCE = S.crypto_secretbox_NONCEBYTES;

/**
 * A transfer's key for its chunks in a relay mailbox, derived from the file key (namespaced): a
 * chunk frame goes there as nonce ‖ secretbox(frame), so the relay sees neither the transfer id nor
 * the index, and the recipient opens it with one symmetric check instead of a sealed box's X25519.
 */
export function mailKeyOf(fileKey: Buffer): Buffer {
  const out = Buffer.alloc(S.crypto_secretbox_KEYBYTES);
  S.crypto_generichash(out, MAIL_KEY_CONTEXT, fileKey);
  return out;
}

export function sealForMail(mailKey: Buffer, frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(NONCE + frame.length + S.crypto_secretbox_MACBYTES);
  S.randombytes_buf(out.subarray(0, NONCE));
  S.crypto_secretbox_easy(out.subarray(NONCE), Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), out.subarray(0, NONCE), mailKey);
  return out;
}

/** The frame in a mail item sealed with `mailKey`, or null (another transfer's, or not a chunk at all). */
export function openFromMail(mailKey: Buffer, item: Buffer): Buffer | null {
  if (item.length < NONCE + S.crypto_secretbox_MACBYTES) return null;
  const out = Buffer.allocUnsafe(item.length - NONCE - S.crypto_secretbox_MACBYTES);
  return S.crypto_secretbox_open_easy(out, item.subarray(NONCE), item.subarray(0, NONCE), mailKey) ? out : null;
}

export function newFileKey(): Buffer {
  const key = Buffer.alloc(S.crypto_secretstream_xchacha20poly1305_KEYBYTES);
  S.randombytes_buf(key);
  return key;
}

export interface Prepared {
  header: Buffer;
  hash: string;
  size: number;
  chunks: number;
}

/** Encrypts `source` into `dest` chunk by chunk (streamed: one chunk in memory at a time), hashing the plaintext. */
export async function encryptInto(source: Readable | AsyncIterable<Buffer>, dest: string, key: Buffer, chunkSize: number, maxBytes: number): Promise<Prepared> {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  const fd = openSync(dest, 'w', 0o600);
  const state = Buffer.alloc(STATE);
  const header = Buffer.alloc(HEADER);
  S.crypto_secretstream_xchacha20poly1305_init_push(state, header, key);
  const hash = createHash('sha256');
  let pending: Buffer = Buffer.alloc(0);
  let size = 0;
  let chunks = 0;
  let offset = 0;
  const push = (plain: Buffer, final: boolean) => {
    const c = Buffer.alloc(plain.length + CHUNK_OVERHEAD);
    S.crypto_secretstream_xchacha20poly1305_push(state, c, plain, null, final ? TAG_FINAL : TAG_MESSAGE);
    writeSync(fd, c, 0, c.length, offset);
    offset += c.length;
    chunks++;
  };
  try {
    for await (const piece of source as AsyncIterable<Buffer>) {
      size += piece.length;
      if (size > maxBytes) throw NodeError.FILE_TOO_LARGE(maxBytes);
      hash.update(piece);
      pending = pending.length ? Buffer.concat([pending, piece]) : piece;
      // Keep at least one byte back: the last chunk (tagged FINAL) is only known at the end.
      while (pending.length > chunkSize) {
        push(pending.subarray(0, chunkSize), false);
        pending = pending.subarray(chunkSize);
      }
    }
    push(pending, true);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { header, hash: hash.digest('hex'), size, chunks };
}

/** Where chunk i starts in the encrypted file, and how long it is. */
export function chunkSpan(i: number, size: number, chunkSize: number): { offset: number; length: number } {
  const plain = Math.min(chunkSize, Math.max(0, size - i * chunkSize));
  return { offset: i * (chunkSize + CHUNK_OVERHEAD), length: plain + CHUNK_OVERHEAD };
}

/** Chunk i's ciphertext, read from the encrypted file. */
export function readChunk(path: string, i: number, size: number, chunkSize: number): Buffer {
  const { offset, length } = chunkSpan(i, size, chunkSize);
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    const n = readSync(fd, out, 0, length, offset);
    if (n !== length) throw NodeError.FILE_DAMAGED();
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads chunks of one encrypted file through one open fd (a sender's loop: no open per chunk). */
export class ChunkReader {
  #fd: number | null = null;
  constructor(private readonly path: string) {}

  read(i: number, size: number, chunkSize: number): Buffer {
    const { offset, length } = chunkSpan(i, size, chunkSize);
    this.#fd ??= openSync(this.path, 'r');
    const out = Buffer.allocUnsafe(length);
    if (readSync(this.#fd, out, 0, length, offset) !== length) throw NodeError.FILE_DAMAGED();
    return out;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/** A pull state at the start of the file's stream. */
export function startPull(key: Buffer, header: Buffer): Buffer {
  const state = Buffer.alloc(STATE);
  S.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key);
  return state;
}

/**
 * Opens the next chunk with `state` (advanced in place); null when it does not authenticate. The
 * plaintext goes into `into` when given (a scratch buffer, at least as long), else a new buffer.
 */
export function pullChunk(state: Buffer, c: Buffer, into?: Buffer): { plain: Buffer; final: boolean } | null {
  if (c.length < CHUNK_OVERHEAD) return null;
  const plain = into && into.length >= c.length - CHUNK_OVERHEAD ? into.subarray(0, c.length - CHUNK_OVERHEAD) : Buffer.alloc(c.length - CHUNK_OVERHEAD);
  const tag = Buffer.alloc(1);
  try {
    S.crypto_secretstream_xchacha20poly1305_pull(state, plain, tag, c, null);
  } catch {
    return null;
  }
  return { plain, final: tag[0] === TAG_FINAL };
}

/** Every plaintext chunk of an encrypted file, in order, authenticated; throws FILE_DAMAGED if one is not. */
export function* decryptChunks(path: string, f: { key: Buffer; header: Buffer; size: number; chunk_size: number; chunks: number }): Generator<Buffer> {
  const state = startPull(f.key, f.header);
  for (let i = 0; i < f.chunks; i++) {
    const opened = pullChunk(state, readChunk(path, i, f.size, f.chunk_size));
    if (!opened || opened.final !== (i === f.chunks - 1)) throw NodeError.FILE_DAMAGED();
    yield opened.plain;
  }
}

/** The SHA-256 of the plaintext of an encrypted file (hex), yielding to the event loop every few MiB (a 1 GiB file takes seconds). */
export async function hashOf(path: string, f: Parameters<typeof decryptChunks>[1]): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for (const p of decryptChunks(path, f)) {
    h.update(p);
    if (++n % 128 === 0) await new Promise((r) => setImmediate(r));
  }
  return h.digest('hex');
}

export function writeChunkAt(path: string, i: number, c: Buffer, chunkSize: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, i === 0 ? 'w' : 'r+', 0o600);
  try {
    writeSync(fd, c, 0, c.length, i * (chunkSize + CHUNK_OVERHEAD));
  } finally {
    closeSync(fd);
  }
}
