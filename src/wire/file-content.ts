import { z } from 'zod';
import { DISAPPEAR_SECONDS, type DisappearSeconds } from './content-messaging.js';

/*
 * File transfer contents (inside Signal messages, like every content). Version first, then type.
 *   file         x: transfer ID (32 hex); name, size (bytes), mime, hash (SHA-256 of the plaintext,
 *                hex); key: the file's random secretstream key; header: its secretstream header;
 *                cs: plaintext bytes per chunk; n: chunk count; at: sender's clock; optional:
 *                thumb: an image's thumbnail (WebP, at most 16 KiB, made by the sender); ttl: the
 *                conversation's disappearing timer (seconds) it was sent under: the receiver deletes
 *                it that long after the offer arrived
 *   file-ack     x; have: chunks the receiver holds, in order (0 = the offer was accepted); miss:
 *                a later chunk came first (the one after `have` was lost): send again from `have`
 *   file-cancel  x; why: the sender cancelled, or the receiver cancelled or refused it
 *   file-delete  x: the sender deleted the file for everyone: the receiver deletes its copy and
 *                answers file-cancel (also when it no longer had it); the sender repeats it until then
 * The chunks themselves travel outside Signal, as binary `file-chunk` peer frames (peer-frames.ts):
 * chunk i is the file stream's i-th secretstream message (the last one tagged FINAL), so each is
 * authenticated by the file's own key, kept in order and cannot be cut short. A chunk is small
 * enough that its frame, sealed to the recipient, fits a relay mail item (46 KiB).
 */
export const FILE_CHUNK_BYTES = 45 * 1024;
/** secretstream's authentication tag and tag byte, per chunk. */
export const CHUNK_OVERHEAD = 17;
/** The largest file Parley sends (4 GiB). */
export const MAX_FILE_BYTES = 4 * 1024 ** 3;
export const TRANSFER_ID = /^[0-9a-f]{32}$/;
export const CANCEL_REASONS = ['cancelled', 'no-space', 'too-large', 'refused', 'failed'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
/** The largest thumbnail an offer carries (a WebP image, made by the sender). */
export const MAX_THUMB_BYTES = 16 * 1024;

const v = z.literal(1);
/** Base64 text of min..max bytes, kept as text: a content is built and read in the same shape. */
const b64 = (min: number, max: number) =>
  z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .refine((s) => {
      const n = Buffer.byteLength(s, 'base64');
      return n >= min && n <= max;
    }, 'wrong length');
const x = z.string().regex(TRANSFER_ID);
const count = z
  .number()
  .int()
  .min(0)
  .max(Math.ceil(MAX_FILE_BYTES / 1024));

export const FileOfferContent = z
  .object({
    v,
    t: z.literal('file'),
    x,
    name: z.string().min(1).max(255),
    size: z.number().int().min(0).max(MAX_FILE_BYTES),
    mime: z.string().max(127),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    key: b64(32, 32),
    header: b64(24, 24),
    cs: z.number().int().min(1024).max(FILE_CHUNK_BYTES),
    n: count,
    at: z.number().int().min(0),
    thumb: b64(1, MAX_THUMB_BYTES).optional(),
    ttl: z
      .number()
      .refine((s): s is DisappearSeconds => (DISAPPEAR_SECONDS as readonly number[]).includes(s), 'not a disappearing timer')
      .optional(),
  })
  .strip();
export const FileAckContent = z.object({ v, t: z.literal('file-ack'), x, have: count, miss: z.literal(true).optional() }).strip();
export const FileCancelContent = z.object({ v, t: z.literal('file-cancel'), x, why: z.enum(CANCEL_REASONS) }).strip();
export const FileDeleteContent = z.object({ v, t: z.literal('file-delete'), x }).strip();

export const FILE_CONTENTS = [FileOfferContent, FileAckContent, FileCancelContent, FileDeleteContent] as const;
export type FileContent =
  z.infer<typeof FileOfferContent> | z.infer<typeof FileAckContent> | z.infer<typeof FileCancelContent> | z.infer<typeof FileDeleteContent>;
