import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ParleyError, describeError } from '../wire/errors.js';
import { ApiError, statusOf } from './errors.js';
import { installGuard, refuseUnroutable, type GuardedRoute } from './guard.js';
import { INDEX_HTML, uiAssets } from './ui-bundle.js';
import {
  AddContact,
  Find,
  HistoryQuery,
  ImportContacts,
  MarkRelay,
  Onboard,
  PageQuery,
  PatchContact,
  SearchQuery,
  SendMessage,
  SignupStart,
  SignupVerify,
  Unlink,
  Strangers,
  Unlock,
  Verify,
} from './schema.js';
import type { ApiEvent } from './schema.js';
import type { Daemon } from './daemon.js';
import { acceptName, registerMessagingRoutes } from './routes-messaging.js';
import { registerFileRoutes } from './files.js';

export interface ApiOptions {
  daemon: Daemon;
  token: string;
  /** Always a loopback address: the API never listens on a network interface. */
  host?: string;
  port?: number;
  logger?: Logger;
}

export interface RunningApi {
  url: string;
  /** The URL to open: carries the token in the fragment (never sent to a server, never in a Referer). */
  openUrl: string;
  port: number;
  /** The route table as fastify registered it: what the guard protects (tests walk it). */
  routes: readonly GuardedRoute[];
  close(): Promise<void>;
}

/** Reads and validates input; a failure is a 400 that says which field is wrong and why. */
function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw ApiError.BAD_REQUEST(`${where}${issue.message}`);
}

/**
 * The daemon's HTTP + WebSocket API on 127.0.0.1, and the web UI. Every route but the static page
 * needs the per-install token, decided by the route that matched (guard.ts); every request must name
 * a loopback Host (DNS rebinding) and, if it has an Origin, our own (other web pages). No CORS
 * headers are ever sent.
 */
export async function startApi(opts: ApiOptions): Promise<RunningApi> {
  const host = opts.host ?? '127.0.0.1';
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw ApiError.BAD_REQUEST('the API listens on a 127.x.x.x address only');
  const { daemon, token } = opts;
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 64 * 1024, return503OnClosing: true, frameworkErrors: refuseUnroutable });
  await app.register(websocket, {
    options: { maxPayload: 4096, handleProtocols: (protocols: Set<string>) => (protocols.has('parley') ? 'parley' : false) },
  });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is a clear 415
  const guard = installGuard(app, token);
  const sockets = new Set<WebSocket>();

  app.addHook('onSend', async (req, reply) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'no-referrer');
    void reply.header('X-Frame-Options', 'DENY');
    void reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    void reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    void reply.header('Cache-Control', 'no-store');
    void reply.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply) => {
    if (ParleyError.is(err)) return reply.code(statusOf(err)).send({ error: { code: err.code, message: err.message } });
    if (err.statusCode && err.statusCode < 500) {
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'the body is not valid JSON'
          : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'the body is empty: send a JSON object'
            : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
              ? 'send JSON (Content-Type: application/json)'
              : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
                ? 'the body is too large'
                : 'the request is malformed';
      return reply.code(err.statusCode).send({ error: { code: ApiError.BAD_REQUEST(message).code, message } });
    }
    opts.logger?.error({ err: describeError(err), route: req.routeOptions.url }, 'API request failed');
    const internal = ApiError.INTERNAL();
    return reply.code(internal.status).send({ error: { code: internal.code, message: internal.message } });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: ApiError.NOT_FOUND().code, message: ApiError.NOT_FOUND().message } }));

  // The UI: static, holds no data, so no token needed (the Host and Origin checks still apply).
  const open = { config: { public: true } };
  app.get('/', open, (_req, reply) => reply.type('text/html; charset=utf-8').send(INDEX_HTML));
  app.get('/app.js', open, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send((await uiAssets())['app.js']));
  app.get('/app.css', open, async (_req, reply) => reply.type('text/css; charset=utf-8').send((await uiAssets())['app.css']));

  type Id = { Params: { id: string } };
  app.get('/api/state', async () => daemon.state());
  app.post('/api/onboard', async (req) => daemon.onboard(parse(Onboard, req.body)));
  app.post('/api/unlock', async (req) => daemon.unlock(parse(Unlock, req.body).passphrase));
  app.get('/api/me', async () => (daemon.running(), daemon.state().me));
  app.patch('/api/me', async (req) => daemon.setName(parse(Onboard.pick({ name: true }), req.body).name));
  app.put('/api/me/strangers', async (req) => daemon.setReachableByStrangers(parse(Strangers, req.body).on));
  app.get('/api/contacts', async () => daemon.contacts());
  app.post('/api/contacts', async (req) => {
    const body = parse(AddContact, req.body);
    return daemon.addContact(body.id, body.name);
  });
  app.get<Id>('/api/contacts/:id', async (req) => daemon.contact(req.params.id));
  app.patch<Id>('/api/contacts/:id', async (req) => daemon.patchContact(req.params.id, parse(PatchContact, req.body)));
  app.post<Id>('/api/contacts/:id/accept', async (req) => daemon.accept(req.params.id, acceptName(parse, req.body)));
  app.post<Id>('/api/contacts/:id/decline', async (req) => (daemon.decline(req.params.id), { ok: true }));
  app.post<Id>('/api/contacts/:id/block', async (req) => daemon.block(req.params.id, true));
  app.post<Id>('/api/contacts/:id/unblock', async (req) => daemon.block(req.params.id, false));
  app.post<Id>('/api/contacts/:id/read', async (req) => daemon.markRead(req.params.id));
  app.get<Id>('/api/contacts/:id/messages', async (req) => daemon.messages(req.params.id, parse(PageQuery, req.query)));
  app.post<Id>('/api/contacts/:id/messages', async (req) => {
    const body = parse(SendMessage, req.body);
    return daemon.send(req.params.id, body.text, body.replyTo);
  });
  registerMessagingRoutes(app, daemon, parse);
  app.get<Id>('/api/contacts/:id/safety', async (req) => daemon.safety(req.params.id));
  app.post<Id>('/api/contacts/:id/verify', async (req) => daemon.setVerified(req.params.id, parse(Verify, req.body).verified));
  app.post<Id>('/api/contacts/:id/accept-key', async (req) => daemon.acceptNewKey(req.params.id));
  app.get('/api/messages', async (req) => daemon.history(undefined, parse(HistoryQuery, req.query).limit ?? 1000));
  app.get('/api/outbox', async () => daemon.outbox());
  app.get('/api/relays', async () => daemon.relays());
  app.post('/api/relays', async (req) => {
    const { publicKey, mark } = parse(MarkRelay, req.body);
    return daemon.markRelay(publicKey, mark);
  });
  app.get('/api/network', async () => daemon.network());
  app.get('/api/search', async (req) => {
    const q = parse(SearchQuery, req.query);
    return daemon.search(q.q, q.contact);
  });
  app.get('/api/signup', async () => daemon.signupStatus());
  app.post('/api/signup/start', async (req) => daemon.signupStart(parse(SignupStart, req.body)));
  app.post('/api/signup/verify', async (req) => daemon.signupVerify(parse(SignupVerify, req.body).code));
  app.post('/api/signup/unlink', async (req) => daemon.unlink(parse(Unlink, req.body).kind));
  app.get('/api/find', async (req) => {
    const q = parse(Find, req.query);
    return { match: await daemon.find(q.q, q.region) };
  });
  app.post('/api/import', { bodyLimit: 6 * 1024 * 1024 }, async (req) => daemon.importContacts(parse(ImportContacts, req.body)));
  registerFileRoutes(app, daemon);
  app.get('/api/events', { websocket: true }, (socket: WebSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', () => {}); // the stream is one-way; anything sent is ignored
    socket.send(JSON.stringify({ type: 'state', state: daemon.state() } satisfies ApiEvent));
  });

  const broadcast = (event: ApiEvent) => {
    if (sockets.size === 0) return; // nobody to tell: nothing serialised (my QR code stays undrawn, see my-qr.ts)
    const data = JSON.stringify(event);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(data);
  };
  daemon.on('event', broadcast);

  await app.listen({ host, port: opts.port ?? 0 });
  const port = (app.server.address() as { port: number }).port;
  guard.allow(host, port);
  const url = `http://${host}:${port}/`;
  return {
    url,
    openUrl: `${url}#token=${token}`,
    port,
    routes: guard.routes,
    async close() {
      daemon.off('event', broadcast);
      for (const s of sockets) s.terminate();
      await app.close();
    },
  };
}
