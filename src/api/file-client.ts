/**
 * The daemon API's file routes, for the web UI and programs (CLI, tests). Browser-safe: fetch only.
 * Uploads stream their body; downloads hand back the response to read as a stream.
 */
import type { ApiErrorBody } from './schema.js';
import type { FileInfo } from './file-schema.js';
import { ApiClientError } from './client.js';

export class FileClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  #url(path: string): string {
    return this.base.replace(/\/$/, '') + path;
  }

  async #ok(res: Response): Promise<Response> {
    if (res.ok) return res;
    const err = ((await res.json().catch(() => null)) as ApiErrorBody | null)?.error;
    throw new ApiClientError(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? `request failed (${res.status})`);
  }

  async #json<T>(method: string, path: string, body: object = {}): Promise<T> {
    const res = await fetch(this.#url(path), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
    });
    return (await (await this.#ok(res)).json()) as T;
  }

  list = (contactId?: string) => this.#json<FileInfo[]>('GET', `/api/files${contactId ? `?contact=${encodeURIComponent(contactId)}` : ''}`);
  get = (id: string) => this.#json<FileInfo>('GET', `/api/files/${encodeURIComponent(id)}`);
  cancel = (id: string) => this.#json<FileInfo>('POST', `/api/files/${encodeURIComponent(id)}/cancel`);
  /** Deletes a file here (its bytes, thumbnail and row); `everyone`: a file I sent, from the contact's device too. */
  delete = (id: string, everyone = false) => this.#json<{ deleted: string }>('POST', `/api/files/${encodeURIComponent(id)}/delete`, { everyone });

  /** An image's thumbnail (image/webp, made by its sender). */
  async thumbnail(id: string): Promise<Blob> {
    return (
      await this.#ok(await fetch(this.#url(`/api/files/${encodeURIComponent(id)}/thumbnail`), { headers: { authorization: `Bearer ${this.token}` } }))
    ).blob();
  }

  /** Sends a file to a contact; `body` is streamed (a browser File or Blob, or a Node stream with `duplex: 'half'`). */
  async upload(contactId: string, body: BodyInit, meta: { name: string; mime?: string; keepMetadata?: boolean }): Promise<FileInfo> {
    const q = new URLSearchParams({ name: meta.name, ...(meta.mime ? { mime: meta.mime } : {}), ...(meta.keepMetadata ? { keepMetadata: '1' } : {}) });
    const res = await fetch(this.#url(`/api/contacts/${encodeURIComponent(contactId)}/files?${q}`), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
      body,
      // Node's fetch needs this to stream a request body; browsers ignore it for a Blob.
      ...({ duplex: 'half' } as object),
    });
    return (await (await this.#ok(res)).json()) as FileInfo;
  }

  /** The whole file's plaintext as a streamed response. */
  async download(id: string): Promise<Response> {
    return this.#ok(await fetch(this.#url(`/api/files/${encodeURIComponent(id)}/content`), { headers: { authorization: `Bearer ${this.token}` } }));
  }
}
