import type { z } from 'zod';
import type { MutableRecord } from '../dht/index.js';
import { toB64 } from '../wire/bytes.js';
import * as api from './api.js';
import { SignupError } from './errors.js';
import type { IdentifierKind } from './identifier.js';

/** What an attestor says about itself (GET /v1/info). */
export interface AttestorInfo {
  url: string;
  signingKey: Buffer;
  oprfKey: Buffer;
  kinds: IdentifierKind[];
  maxBatch: number;
}

const MAX_REPLY_BYTES = 256 * 1024;

/** The HTTP client of one attestor (see api.ts for the endpoints). */
export class AttestorClient {
  readonly url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(url: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw SignupError.BAD_URL();
    this.url = url.replace(/\/+$/, '');
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async info(): Promise<AttestorInfo> {
    const r = await this.#call('GET', '/v1/info', undefined, api.InfoReply);
    return { url: this.url, signingKey: r.signingKey, oprfKey: r.oprfKey, kinds: r.kinds, maxBatch: r.maxBatch };
  }

  async start(kind: IdentifierKind, identifier: string, idKey: Buffer, region?: string): Promise<{ pending: string; expiresAt: number }> {
    return this.#call('POST', '/v1/signup/start', { kind, identifier, idKey: toB64(idKey), ...(region ? { region } : {}) }, api.StartReply);
  }

  async verify(pending: string, code: string, idSignature: Buffer): Promise<MutableRecord> {
    const r = await this.#call('POST', '/v1/signup/verify', { pending, code, idSignature: toB64(idSignature) }, api.RecordReply);
    return api.recordFromJson(r.record);
  }

  async evaluate(kind: IdentifierKind, blinded: Buffer[]): Promise<{ evaluated: Buffer[]; proof: Buffer }> {
    return this.#call('POST', '/v1/oprf/evaluate', { kind, blinded: blinded.map(toB64) }, api.EvaluateReply);
  }

  async unlink(record: MutableRecord, idSignature: Buffer): Promise<MutableRecord> {
    const r = await this.#call('POST', '/v1/unlink', { record: api.recordToJson(record), idSignature: toB64(idSignature) }, api.RecordReply);
    return api.recordFromJson(r.record);
  }

  async #call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, reply: S): Promise<z.output<S>> {
    const attempt = () =>
      this.#fetch(this.url + path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    let res: Response;
    try {
      // A GET is safe to repeat once: a kept-alive connection the server has just closed fails the first try.
      res = await attempt().catch((err: unknown) => {
        if (method !== 'GET') throw err;
        return attempt();
      });
    } catch {
      throw SignupError.ATTESTOR_UNREACHABLE();
    }
    let json: unknown;
    try {
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.length > MAX_REPLY_BYTES) throw new Error('too large');
      json = JSON.parse(buf.toString('utf8'));
    } catch {
      throw SignupError.ATTESTOR_BAD_REPLY();
    }
    if (!res.ok) {
      const e = api.ErrorReply.safeParse(json);
      if (!e.success) throw SignupError.ATTESTOR_BAD_REPLY();
      throw SignupError.ATTESTOR(e.data.error.slice(0, 40), e.data.message.slice(0, 300), res.status);
    }
    const parsed = reply.safeParse(json);
    if (!parsed.success) throw SignupError.ATTESTOR_BAD_REPLY();
    return parsed.data;
  }
}
