import { z } from 'zod';
import { jsonCodec } from './json-codec.js';
import { MAX_TEXT_BYTES } from './limits.js';
import { FILE_CONTENTS } from './file-content.js';

/*
 * What travels inside a Signal message (the plaintext). Version first, then type.
 *   text     id: message ID (32 hex); n: per-conversation sequence of the sender; body: UTF-8 text;
 *            at: sender's clock, ms since epoch; via: the sender's side of the path, stamped at each
 *            attempt, so the receiver's route receipt can show the whole way (optional: older senders)
 *   receipt  ids: message IDs received and stored (the end-to-end receipt that empties the outbox)
 *   reach    endpoint, transportKey: my direct address and Noise key, sent only to contacts I set to
 *            `direct`; an empty reach withdraws them
 *   file, file-chunk, file-ack, file-cancel: a file transfer (see file-content.ts)
 */
export const MESSAGE_ID = /^[0-9a-f]{32}$/;
const v = z.literal(1);
const messageId = z.string().regex(MESSAGE_ID);

/**
 * How the sender's bytes reached the recipient's side: straight to the recipient's device, straight
 * to the recipient's relay, through the sender's relay and a circuit to the recipient's, or through
 * one relay both use.
 */
export const SENDER_PATHS = ['direct', 'recipient-relay', 'both-relays', 'shared-relay'] as const;
export type SenderPath = (typeof SENDER_PATHS)[number];

export const TextContent = z
  .object({
    v,
    t: z.literal('text'),
    id: messageId,
    n: z.number().int().min(1),
    body: z.string().refine((s) => Buffer.byteLength(s) <= MAX_TEXT_BYTES, 'text too long'),
    at: z.number().int().min(0),
    via: z.enum(SENDER_PATHS).optional(),
  })
  .strip();
export const ReceiptContent = z.object({ v, t: z.literal('receipt'), ids: z.array(messageId).min(1).max(512) }).strip();

/** reach: how a contact set to `direct` may reach me directly (absent fields withdraw it). */
export const ReachContent = z
  .object({
    v,
    t: z.literal('reach'),
    endpoint: z
      .string()
      .max(64)
      .regex(/^[0-9a-fA-F.:[\]]+:\d{1,5}$/)
      .optional(),
    transportKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/)
      .optional(),
  })
  .strip();

/**
 * Contents are end-to-end authenticated (only the contact could have written them), so fields this
 * version does not know are dropped rather than refused: a newer sender's extra field must not make
 * an older receiver drop the message (it would never be acknowledged, and the sender would resend it
 * for ever). Known fields are checked as strictly as ever.
 */
export const Content = z.discriminatedUnion('t', [TextContent, ReceiptContent, ReachContent, ...FILE_CONTENTS]);
export type Content = z.infer<typeof Content>;
export const contentCodec = jsonCodec(Content);
