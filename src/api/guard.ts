import type { FastifyContextConfig, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { sameToken } from './token.js';

/*
 * Who may use the daemon's API, decided by the route fastify matched, never by the raw URL: the
 * router percent-decodes a path before it matches, so any string test on `req.url` can be
 * spelled around (`/%61pi/messages` once read every message without a token).
 *
 * Deny by default: every route, the 404 handler and every WebSocket upgrade need the token. Only
 * routes registered with `config: { public: true }` (the static page and its bundle, which hold no
 * data) are exempt from the token; nothing is exempt from the Host and Origin checks.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the token (static, holds no data). Host and Origin checks still apply. */
    public?: boolean;
    /** Set by the guard: the route has a WebSocket handler, so an upgrade may reach it. */
    upgrade?: boolean;
  }
}

/** One entry of the route table, as fastify registered it (including the HEAD twin of each GET). */
export interface GuardedRoute {
  method: string;
  url: string;
  public: boolean;
  upgrade: boolean;
}

export interface Guard {
  /** The whole route table, filled as routes are registered: tests walk it instead of a hand-made list. */
  readonly routes: readonly GuardedRoute[];
  /** Once listening: the host (an IP literal) and port whose Host and Origin values name us. */
  allow(host: string, port: number): void;
}

const TOKEN_PROTOCOL = 'parley-token.';
/** Browsers label requests from other origins; anything but our own page (or a typed URL) is refused. */
const FOREIGN_FETCH_SITES = new Set(['cross-site', 'same-site']);

/** The token a request carries: a Bearer header, or (a browser cannot set headers on a WebSocket) a subprotocol. */
function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  if (!req.ws) return undefined;
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PROTOCOL))
    ?.slice(TOKEN_PROTOCOL.length);
}

/** Installs the policy on `app`; call before any route is registered (the table is read as routes arrive). */
export function installGuard(app: FastifyInstance, token: string): Guard {
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const routes: GuardedRoute[] = [];

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const upgrade = route.websocket === true && methods.includes('GET');
    route.config = { ...route.config, upgrade };
    for (const method of methods) routes.push({ method, url: route.url, public: route.config.public === true, upgrade });
  });

  app.addHook('onRequest', async (req) => {
    if (!hosts.has(req.headers.host ?? '')) throw ApiError.FOREIGN_HOST();
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) throw ApiError.FOREIGN_ORIGIN();
    if (FOREIGN_FETCH_SITES.has(String(req.headers['sec-fetch-site']))) throw ApiError.FOREIGN_ORIGIN();
    // The 404 handler's config is empty, so an unmatched path is not public either.
    const route: FastifyContextConfig = req.is404 ? {} : req.routeOptions.config;
    if (route.public !== true && !sameToken(presentedToken(req), token)) throw ApiError.UNAUTHORIZED();
    if (req.ws && route.upgrade !== true) throw ApiError.NOT_FOUND();
  });

  return {
    routes,
    allow(host, port) {
      for (const h of [host, 'localhost']) {
        hosts.add(`${h}:${port}`);
        origins.add(`http://${h}:${port}`);
      }
    },
  };
}

/**
 * Fastify answers a URL it cannot decode, or a parameter over its length limit, before any hook runs,
 * and by default echoes the path back. Answer those as what they are to us: no such endpoint. The
 * connection is closed after: no hook runs here, and a WebSocket upgrade's socket, which the HTTP
 * server no longer tracks, would otherwise stay open (and hold the daemon's shutdown) forever.
 */
export function refuseUnroutable(_err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const err = ApiError.NOT_FOUND();
  const socket = req.raw.socket;
  reply.raw.once('finish', () => socket.end());
  void reply
    .header('connection', 'close')
    .code(err.status)
    .send({ error: { code: err.code, message: err.message } });
}
