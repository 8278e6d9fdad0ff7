import type { FileRow, FileState } from '../store/index.js';

/** A transfer as the API, the CLI and the UI show it (never the key). */
export interface FileView {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  name: string;
  size: number;
  mime: string;
  hash: string;
  state: FileState;
  /** Why it waits, was refused or failed, in plain words (null when nothing to say). */
  reason: string | null;
  /** Plaintext bytes the receiver holds (acknowledged, for a sent file). */
  bytesDone: number;
  createdAt: number;
  updatedAt: number;
  /** An image's thumbnail is there to show (GET /api/files/:id/thumbnail). */
  thumbnail: boolean;
  /** A sent image's location and camera details: removed (the default) or kept by choice; null otherwise. */
  metadata: 'removed' | 'kept' | null;
  /** When it disappears with its conversation's timer (ms since epoch), if it does. */
  expiresAt: number | null;
}

export function fileView(f: FileRow): FileView {
  return {
    id: f.id,
    contactId: f.contact_id,
    direction: f.direction,
    name: f.name,
    size: f.size,
    mime: f.mime,
    hash: f.hash,
    state: f.state,
    reason: f.reason,
    bytesDone: f.state === 'complete' ? f.size : Math.min(f.size, f.done * f.chunk_size),
    createdAt: f.created_at,
    updatedAt: f.updated_at,
    thumbnail: !!f.thumb?.length,
    metadata: f.metadata ?? null,
    expiresAt: f.expires_at ?? null,
  };
}

/** What each cancel reason means, said to the person on the other side. */
export const CANCEL_SENTENCES = {
  cancelled: 'the transfer was cancelled',
  'no-space': "the recipient's disk has no room for this file",
  'too-large': 'the file is larger than the recipient accepts',
  refused: 'the recipient does not accept files from you (you are not in their contacts)',
  failed: 'the file arrived damaged; send it again',
} as const;
