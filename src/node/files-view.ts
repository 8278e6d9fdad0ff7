import type { FileRow } from '../store/index.js';

/**
 * A transfer as the API, the CLI and the UI show it (never the key). Its shape is written once, as
 * `FileInfo` in src/api/file-schema.ts (what the browser bundle imports; each field explained
 * there): this layer cannot import it, so the type here is what `fileView` builds, and src/api/files.ts
 * has tsc prove the two are the same type both ways.
 */
export type FileView = ReturnType<typeof fileView>;

export function fileView(f: FileRow) {
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
