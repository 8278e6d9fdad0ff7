import { z } from 'zod';

/*
 * Contents for everyday messaging, inside the Signal channel (so only the contact could have
 * written them). Each takes a place in the sender's conversation order like a text (`n`), so the
 * receiver applies them in order:
 *   timer   id, n, at: sender's clock; seconds: the conversation's new disappearing timer (0: off)
 *   delete  id: the message the sender deletes for everyone (honoured only for the sender's own), n: its `n`
 * and optional fields of a text:
 *   reply   id and a short quote of the message it answers
 *   ttl     the disappearing timer (seconds) the sender sent it under: the receiver deletes it that long after arrival
 *   name    the name the sender offers while the receiver has not answered (a request shows it as unverified)
 *   prev    the `n` of the sender's message before this one that still exists (a cancelled message leaves a gap)
 */

/** The disappearing timers a conversation may have, in seconds: off, 5 minutes, 1 hour, 1 day, 1 week. */
export const DISAPPEAR_SECONDS = [0, 300, 3600, 86_400, 604_800] as const;
export type DisappearSeconds = (typeof DISAPPEAR_SECONDS)[number];
export const MAX_QUOTE_CHARS = 140;
export const MAX_OFFERED_NAME_CHARS = 64;

const v = z.literal(1);
const messageId = z.string().regex(/^[0-9a-f]{32}$/);
const seconds = z.number().refine((s): s is DisappearSeconds => (DISAPPEAR_SECONDS as readonly number[]).includes(s), 'not a disappearing timer');

export const TimerContent = z
  .object({
    v,
    t: z.literal('timer'),
    id: messageId,
    n: z.number().int().min(1),
    prev: z.number().int().min(0).optional(),
    at: z.number().int().min(0),
    seconds,
  })
  .strip();
export const DeleteContent = z
  .object({ v, t: z.literal('delete'), id: messageId, n: z.number().int().min(1), prev: z.number().int().min(0).optional() })
  .strip();

/** The optional fields a text carries for replies, disappearing timers, requests and gaps. */
export const TEXT_EXTRAS = {
  reply: z.object({ id: messageId, quote: z.string().max(MAX_QUOTE_CHARS * 2) }).optional(),
  ttl: seconds.optional(),
  name: z
    .string()
    .max(MAX_OFFERED_NAME_CHARS * 4)
    .optional(),
  prev: z.number().int().min(0).optional(),
};
