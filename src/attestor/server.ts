import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { api, MAX_BATCH } from '../signup/index.js';
import { toB64 } from '../wire/bytes.js';
import { Attestor, type AttestorComponents, type AttestorConfig } from './attestor.js';
import { AttestorError } from './errors.js';

export interface AttestorServerOptions extends AttestorComponents, AttestorConfig {
  /** Address to listen on (default 127.0.0.1; put TLS in front of it for public use). */
  host?: string;
  port?: number;
  /** Address(es) of a TLS-terminating proxy in front, whose X-Forwarded-For names the client for rate limits. */
  trustProxy?: string;
}

/**
 * `parley attestor` over HTTP (fastify): JSON bodies checked with zod, every refusal a 4xx with a
 * code and a sentence, no request logging (a log line would hold addresses and identifiers).
 */
export class AttestorServer {
  readonly attestor: Attestor;
  readonly #o: AttestorServerOptions;
  readonly #app: FastifyInstance;
  #sweep: NodeJS.Timeout | null = null;

  constructor(o: AttestorServerOptions) {
    this.#o = o;
    this.attestor = new Attestor(o, o);
    this.#app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: o.trustProxy ?? false, return503OnClosing: true });
    this.#routes();
  }

  async start(): Promise<void> {
    await this.#app.listen({ host: this.#o.host ?? '127.0.0.1', port: this.#o.port ?? 0 });
    this.#sweep = setInterval(() => this.attestor.sweep(), 30_000).unref();
  }

  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    await this.#app.close();
  }

  address(): { host: string; port: number } {
    const a = this.#app.server.address();
    if (!a || typeof a === 'string') throw new Error('the attestor is not listening');
    return { host: a.address, port: a.port };
  }

  url(): string {
    const { host, port } = this.address();
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  info(): z.input<typeof api.InfoReply> {
    return {
      v: 1,
      signingKey: toB64(this.#o.keys.signing.publicKey),
      oprfKey: toB64(this.#o.keys.oprfPublic),
      kinds: this.attestor.kinds(),
      codeTtlSeconds: this.attestor.codeTtlSeconds,
      maxBatch: MAX_BATCH,
    };
  }

  /** Test-only hooks: the keys (to sign records a test needs) and the pending count. */
  forTest(): { keys: AttestorServerOptions['keys']; pending: () => number } {
    return { keys: this.#o.keys, pending: () => this.attestor.pendingCount() };
  }

  #routes(): void {
    const app = this.#app;
    const a = this.attestor;
    app.get('/v1/info', async () => this.info());
    // For operators: totals and the number of codes waiting, never who.
    app.get('/v1/metrics', async () => ({ ...a.counters, pending: a.pendingCount() }));
    app.post('/v1/signup/start', async (req) => {
      const body = parse(api.StartRequest, req);
      return a.start(req.ip, { kind: body.kind, identifier: body.identifier, region: body.region, idKey: body.idKey });
    });
    app.post('/v1/signup/verify', async (req) => ({ record: api.recordToJson(a.verify(req.ip, parse(api.VerifyRequest, req))) }));
    app.post('/v1/oprf/evaluate', async (req) => {
      const body = parse(api.EvaluateRequest, req);
      const out = a.evaluate(req.ip, body.kind, body.blinded);
      return { evaluated: out.evaluated.map(toB64), proof: toB64(out.proof) };
    });
    app.post('/v1/unlink', async (req) => {
      const body = parse(api.UnlinkRequest, req);
      return { record: api.recordToJson(a.unlink(req.ip, { record: api.recordFromJson(body.record), idSignature: body.idSignature })) };
    });
    app.setNotFoundHandler(async (_req, reply) => send(reply, AttestorError.NOT_FOUND()));
    app.setErrorHandler(async (err, _req, reply) => {
      if (AttestorError.is(err)) return send(reply, err);
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // fastify's own refusals (unparsable JSON, wrong content type, body too large): say which, without echoing input.
        const code = (err as { code?: unknown }).code;
        return send(reply, AttestorError.REFUSED_BODY(status, typeof code === 'string' ? code : String(status)));
      }
      return send(reply, AttestorError.INTERNAL());
    });
  }
}

function parse<S extends z.ZodType>(schema: S, req: FastifyRequest): z.output<S> {
  const r = schema.safeParse(req.body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw AttestorError.BAD_REQUEST(`${where}${issue?.message ?? 'invalid body'}`);
  }
  return r.data;
}

function send(reply: FastifyReply, err: AttestorError): FastifyReply {
  return reply.code(err.status).send({ error: err.code, message: err.message });
}
