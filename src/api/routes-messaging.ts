import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Daemon } from './daemon.js';
import { AcceptRequest, DeleteMessage, SetDisappearing } from './schema-messaging.js';

type Parse = <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>;
type Id = { Params: { id: string } };

/**
 * Disappearing timers, deletes and the outbox's cancel and retry. Registered like every route:
 * the guard (guard.ts) denies each without the token, by default.
 */
export function registerMessagingRoutes(app: FastifyInstance, daemon: Daemon, parse: Parse): void {
  app.post<Id>('/api/contacts/:id/disappearing', async (req) => daemon.setDisappearing(req.params.id, parse(SetDisappearing, req.body).seconds));
  app.post<Id>('/api/contacts/:id/clear', async (req) => ({ deleted: daemon.clearConversation(req.params.id) }));
  app.post<Id>('/api/messages/:id/delete', async (req) => ({ message: daemon.deleteMessage(req.params.id, parse(DeleteMessage, req.body).everyone === true) }));
  app.post<Id>('/api/outbox/:id/cancel', async (req) => (daemon.cancelOutbox(req.params.id), { ok: true }));
  app.post<Id>('/api/outbox/:id/retry', async (req) => (daemon.retryOutbox(req.params.id), { ok: true }));
}

/** The accept route's body: the name the receiver gives (the offered one is unverified). */
export const acceptName = (parse: Parse, body: unknown): string | undefined => parse(AcceptRequest, body ?? {}).name;
