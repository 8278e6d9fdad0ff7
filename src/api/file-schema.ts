/**
 * File transfers as the API shows them: browser-safe (no imports), shared by the server, the client
 * and the web UI. `FileInfo` is the one written definition of a transfer's view: the node's
 * `FileView` is what its `fileView()` builds, and src/api/files.ts has tsc prove the two are the
 * same type (so a field added, dropped or retyped on either side fails to compile).
 */
export type FileState = 'preparing' | 'offering' | 'sending' | 'waiting' | 'receiving' | 'complete' | 'cancelled' | 'refused' | 'failed';

export interface FileInfo {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  name: string;
  size: number;
  mime: string;
  /** SHA-256 of the plaintext, hex. */
  hash: string;
  state: FileState;
  /** Why it waits, was refused or failed, in plain words. */
  reason: string | null;
  /** Plaintext bytes the receiver holds (acknowledged by the receiver, for a sent file). */
  bytesDone: number;
  createdAt: number;
  updatedAt: number;
  /** An image's thumbnail can be fetched (GET /api/files/:id/thumbnail, image/webp, made by the sender). */
  thumbnail: boolean;
  /** A sent image's location and camera details: removed (the default) or kept by choice; null for other files. */
  metadata: 'removed' | 'kept' | null;
  /** When it disappears with its conversation's timer (ms since epoch), if it does. */
  expiresAt: number | null;
}

/** The largest file Parley sends (the same as the wire's MAX_FILE_BYTES: 4 GiB). */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
export const ACTIVE_FILE_STATES: readonly FileState[] = ['preparing', 'offering', 'sending', 'waiting', 'receiving'];
