import { z } from 'zod';
import { jsonCodec } from './json-codec.js';
import { MAX_TEXT_BYTES } from './limits.js';

/*
 * What travels inside a Signal message (the plaintext). Version first, then type.
 *   text     id: message ID (32 hex); n: per-conversation sequence of the sender; body: UTF-8 text;
 *            at: sender's clock, ms since epoch
 *   receipt  ids: message IDs received and stored (the end-to-end receipt that empties the outbox)
 */
export const MESSAGE_ID = /^[0-9a-f]{32}$/;
const v = z.literal(1);
const messageId = z.string().regex(MESSAGE_ID);

export const TextContent = z
  .object({
    v,
    t: z.literal('text'),
    id: messageId,
    n: z.number().int().min(1),
    body: z.string().refine((s) => Buffer.byteLength(s) <= MAX_TEXT_BYTES, 'text too long'),
    at: z.number().int().min(0),
  })
  .strict();
export const ReceiptContent = z.object({ v, t: z.literal('receipt'), ids: z.array(messageId).min(1).max(512) }).strict();

export const Content = z.discriminatedUnion('t', [TextContent, ReceiptContent]);
export type Content = z.infer<typeof Content>;
export const contentCodec = jsonCodec(Content);
