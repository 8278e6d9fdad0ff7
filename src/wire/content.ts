import { z } from 'zod';
import { jsonCodec } from './json-codec.js';
import { MAX_TEXT_BYTES } from './limits.js';
import { DeleteContent, TEXT_EXTRAS, TimerContent } from './content-messaging.js';
import { FILE_CONTENTS } from './file-content.js';

/*
 * What travels inside a Signal message (the plaintext). Version first, then type.
 *   text     id: message ID (32 hex); n: per-conversation sequence of the sender; body: UTF-8 text;
 *            at: sender's clock, ms since epoch; via: the sender's side of the path, stamped at each
 *            attempt, so the receiver's route receipt can show the whole way (optional: older senders);
 *            reply, ttl, name, prev: see content-messaging.ts
 *   receipt  ids: message IDs received and stored (the end-to-end receipt that empties the outbox)
 *   reach    endpoint, transportKey: my direct address and Noise key, sent only to contacts I set to
 *            `direct`; an empty reach withdraws them
 *   rendezvous  mine: my random 32-byte contribution to the pair's rendezvous secret; have: whether I
 *            hold theirs already (false asks them to send theirs again)
 *   candidates  punchId: 16 random bytes (hex) naming one hole-punching attempt; role: `offer` (I want to
 *            punch) or `answer` (so do I); addresses: my local and public UDP address:port (IPv4);
 *            kind: how my NAT maps ports; streamId: my UDX stream id; transportKey: the Noise key my end
 *            of the punched link proves; at: sender's clock (stale offers are ignored). An offer goes
 *            only to a contact both sides set to `direct`; an answer only to a contact I set `direct`.
 *   timer, delete: see content-messaging.ts
 *   file, file-ack, file-cancel: a file transfer (see file-content.ts; its chunks travel outside Signal)
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
    ...TEXT_EXTRAS,
  })
  .strip();
/** receipt: `of: 'delete'` acknowledges a delete for everyone (a text's receipt crossing it must not end it). */
export const ReceiptContent = z.object({ v, t: z.literal('receipt'), ids: z.array(messageId).min(1).max(512), of: z.literal('delete').optional() }).strip();

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

/** rendezvous: my half of the secret our rendezvous records are derived from (src/dht/rendezvous-record.ts). */
export const RendezvousContent = z
  .object({
    v,
    t: z.literal('rendezvous'),
    mine: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
    have: z.boolean(),
  })
  .strip();
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
export const UdpCandidate = z.object({ host: z.string().max(15).regex(ipv4), port: z.number().int().min(1).max(65535) }).strip();

/** candidates: where I may be reached over UDP for one hole punch (see src/node/punch.ts). */
export const CandidatesContent = z
  .object({
    v,
    t: z.literal('candidates'),
    punchId: z.string().regex(/^[0-9a-f]{32}$/),
    role: z.enum(['offer', 'answer']),
    addresses: z.array(UdpCandidate).min(1).max(4),
    kind: z.enum(['stable', 'changes-ports', 'unknown']),
    streamId: z.number().int().min(1).max(0xffffffff),
    transportKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
    at: z.number().int().min(0),
  })
  .strip();
export type CandidatesContent = z.infer<typeof CandidatesContent>;

/**
 * Contents are end-to-end authenticated (only the contact could have written them), so fields this
 * version does not know are dropped rather than refused: a newer sender's extra field must not make
 * an older receiver drop the message (it would never be acknowledged, and the sender would resend it
 * for ever). Known fields are checked as strictly as ever.
 */
export const Content = z.discriminatedUnion('t', [
  TextContent,
  ReceiptContent,
  ReachContent,
  RendezvousContent,
  CandidatesContent,
  TimerContent,
  DeleteContent,
  ...FILE_CONTENTS,
]);
export type Content = z.infer<typeof Content>;
export const contentCodec = jsonCodec(Content);
