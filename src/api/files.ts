import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ApiError } from './errors.js';
import type { Daemon } from './daemon.js';
import type { FileInfo } from './file-schema.js';
import type { FileView } from '../node/files-view.js';

/*
 * File routes. Uploads are streamed (application/octet-stream, the name and type in the query):
 * the node encrypts them into the home chunk by chunk, never holding the file in memory. Downloads
 * decrypt as they stream. Every route needs the token, downloads too (the web UI fetches them with
 * it: a link cannot carry the token, and no route is made public for files).
 *
 * A thumbnail is untrusted data (the sender made it): it is served only if it is a WebP (checked
 * when it arrived), as image/webp with nosniff and a sandboxing CSP, so the browser can do nothing
 * with it but draw it in an <img>. Parley itself never decodes an image it received.
 */
const UploadQuery = z.object({
  name: z.string().trim().min(1, 'give the file a name').max(255),
  mime: z.string().max(127).optional(),
  /** "1": send an image's original bytes, location and camera details included (they are removed by default). */
  keepMetadata: z.enum(['0', '1']).optional(),
});
const DeleteBody = z.object({ everyone: z.boolean().optional() }).strict();
const ListQuery = z.object({ contact: z.string().max(200).optional() });

/** The node's view and the API's FileInfo are one type: each assignable to the other (see file-schema.ts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _FileViewIsFileInfo = Assert<Same<FileView, FileInfo>>;

export function registerFileRoutes(app: FastifyInstance, daemon: Daemon): void {
  const files = () => daemon.running().files;
  type Id = { Params: { id: string } };

  app.get('/api/files', async (req) => {
    const q = query(ListQuery, req.query);
    return files().list(q.contact) satisfies FileInfo[];
  });
  app.get<Id>('/api/files/:id', async (req) => files().get(req.params.id) satisfies FileInfo);
  app.post<Id>('/api/files/:id/cancel', async (req) => files().cancel(req.params.id) satisfies FileInfo);
  app.post<Id>('/api/files/:id/delete', async (req) => {
    const everyone = query(DeleteBody, req.body).everyone === true;
    files().delete(req.params.id, everyone);
    return { deleted: req.params.id };
  });
  app.get<Id>('/api/files/:id/thumbnail', async (req, reply) => {
    const thumb = files().thumbnail(req.params.id);
    void reply.header('Content-Type', 'image/webp');
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
    void reply.header('Content-Disposition', 'inline; filename="thumbnail.webp"');
    void reply.header('Cache-Control', 'no-store');
    return reply.send(thumb);
  });
  app.get<Id>('/api/files/:id/content', async (req, reply) => {
    const { view, stream } = files().open(req.params.id);
    return sendFile(reply, view, stream);
  });
  // Streamed uploads: the body is handed on as it arrives (no body limit applies to a stream; the
  // node stops at MAX_FILE_BYTES).
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    scope.post<Id>('/api/contacts/:id/files', async (req) => {
      const q = query(UploadQuery, req.query);
      if (!(req.body && typeof (req.body as Readable).pipe === 'function'))
        throw ApiError.BAD_REQUEST('send the file as the body, with Content-Type: application/octet-stream');
      return (await files().sendStream(
        req.params.id,
        req.body as Readable,
        { name: q.name, mime: q.mime ?? 'application/octet-stream' },
        {
          keepMetadata: q.keepMetadata === '1',
        },
      )) satisfies FileInfo;
    });
  });
}

function query<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw ApiError.BAD_REQUEST(`${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}

function sendFile(reply: import('fastify').FastifyReply, view: FileInfo, stream: Readable) {
  const ascii = view.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  void reply.header('Content-Type', 'application/octet-stream');
  void reply.header('Content-Length', String(view.size));
  void reply.header('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(view.name)}`);
  return reply.send(stream);
}
