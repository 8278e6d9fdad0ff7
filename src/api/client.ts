/**
 * The typed client of the daemon API, shared by the web UI and programs (tests, CLI). Browser-safe:
 * fetch and WebSocket only.
 */
import type {
  AddContact,
  ApiErrorBody,
  ApiEvent,
  Attestation,
  Contact,
  ImportResult,
  Match,
  Me,
  Message,
  Network,
  Onboard,
  OutboxItem,
  PatchContact,
  Relay,
  Safety,
  SearchHit,
  State,
} from './schema.js';

/**
 * `Message.waitingBecause` of a message no attempt has been made for yet. (Here rather than in
 * schema.ts so the UI can use it without bundling zod.)
 */
export const NOT_SENT_YET = 'not sent yet';

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

export class ApiClient {
  /** `base` is the daemon's URL ('' in the browser: same origin). */
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base.replace(/\/$/, '') + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const data = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      const err = (data as ApiErrorBody | null)?.error;
      throw new ApiClientError(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? `request failed (${res.status})`);
    }
    return data as T;
  }

  state = () => this.#call<State>('GET', '/api/state');
  onboard = (input: Onboard) => this.#call<State>('POST', '/api/onboard', input);
  unlock = (passphrase: string) => this.#call<State>('POST', '/api/unlock', { passphrase });
  me = () => this.#call<Me>('GET', '/api/me');
  setName = (name: string) => this.#call<Me>('PATCH', '/api/me', { name });
  setReachableByStrangers = (on: boolean) => this.#call<Me>('PUT', '/api/me/strangers', { on });
  contacts = () => this.#call<Contact[]>('GET', '/api/contacts');
  contact = (id: string) => this.#call<Contact>('GET', `/api/contacts/${encodeURIComponent(id)}`);
  addContact = (input: AddContact) => this.#call<Contact>('POST', '/api/contacts', input);
  patchContact = (id: string, patch: PatchContact) => this.#call<Contact>('PATCH', `/api/contacts/${encodeURIComponent(id)}`, patch);
  /** Accepts a request; `name` is what to call them (what they offered is unverified). */
  accept = (id: string, name?: string) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/accept`, name ? { name } : {});
  decline = (id: string) => this.#call<{ ok: true }>('POST', `/api/contacts/${encodeURIComponent(id)}/decline`, {});
  block = (id: string) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/block`, {});
  unblock = (id: string) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/unblock`, {});
  markRead = (id: string) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/read`, {});
  messages = (id: string, page: { before?: number; limit?: number } = {}) => {
    const q = new URLSearchParams();
    if (page.before) q.set('before', String(page.before));
    if (page.limit) q.set('limit', String(page.limit));
    return this.#call<Message[]>('GET', `/api/contacts/${encodeURIComponent(id)}/messages${q.size ? '?' + q : ''}`);
  };
  /** The newest messages of every conversation, oldest first. */
  history = (limit?: number) => this.#call<Message[]>('GET', `/api/messages${limit ? `?limit=${limit}` : ''}`);
  outbox = () => this.#call<OutboxItem[]>('GET', '/api/outbox');
  relays = () => this.#call<Relay[]>('GET', '/api/relays');
  markRelay = (publicKey: string, mark: 'pin' | 'unpin' | 'exclude' | 'include') => this.#call<Relay[]>('POST', '/api/relays', { publicKey, mark });
  network = () => this.#call<Network>('GET', '/api/network');
  /** Sends a message; `replyTo` quotes the message it answers. */
  send = (id: string, text: string, replyTo?: string) =>
    this.#call<Message>('POST', `/api/contacts/${encodeURIComponent(id)}/messages`, { text, ...(replyTo ? { replyTo } : {}) });

  // Disappearing timers, deletes, the outbox's cancel and retry (routes-messaging.ts).
  setDisappearing = (id: string, seconds: number) => this.#call<Message>('POST', `/api/contacts/${encodeURIComponent(id)}/disappearing`, { seconds });
  deleteMessage = (messageId: string, everyone = false) =>
    this.#call<{ message: Message | null }>('POST', `/api/messages/${encodeURIComponent(messageId)}/delete`, { everyone });
  clearConversation = (id: string) => this.#call<{ deleted: number }>('POST', `/api/contacts/${encodeURIComponent(id)}/clear`, {});
  cancelOutbox = (messageId: string) => this.#call<{ ok: true }>('POST', `/api/outbox/${encodeURIComponent(messageId)}/cancel`, {});
  retryOutbox = (messageId: string) => this.#call<{ ok: true }>('POST', `/api/outbox/${encodeURIComponent(messageId)}/retry`, {});
  safety = (id: string) => this.#call<Safety>('GET', `/api/contacts/${encodeURIComponent(id)}/safety`);
  verify = (id: string, verified: boolean) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/verify`, { verified });
  acceptNewKey = (id: string) => this.#call<Contact>('POST', `/api/contacts/${encodeURIComponent(id)}/accept-key`, {});
  search = (q: string, contact?: string) => this.#call<SearchHit[]>('GET', `/api/search?${new URLSearchParams({ q, ...(contact ? { contact } : {}) })}`);

  signupStatus = () => this.#call<Attestation[]>('GET', '/api/signup');
  signupStart = (input: { kind: 'email' | 'phone'; identifier: string; region?: string }) =>
    this.#call<{ kind: string; expiresAt: number }>('POST', '/api/signup/start', input);
  signupVerify = (code: string) => this.#call<Attestation[]>('POST', '/api/signup/verify', { code });
  unlink = (kind?: 'email' | 'phone') => this.#call<Attestation[]>('POST', '/api/signup/unlink', kind ? { kind } : {});
  find = (q: string, region?: string) => this.#call<{ match: Match | null }>('GET', `/api/find?${new URLSearchParams({ q, ...(region ? { region } : {}) })}`);
  importContacts = (input: { text: string; format?: 'vcf' | 'csv'; region?: string }) => this.#call<ImportResult>('POST', '/api/import', input);

  /** Live events; reconnects with backoff until `close()` is called. */
  events(onEvent: (e: ApiEvent) => void, onStatus: (connected: boolean) => void = () => {}): { close(): void } {
    let ws: WebSocket | null = null;
    let closed = false;
    let delay = 500;
    const url = (this.base || location.origin).replace(/^http/, 'ws').replace(/\/$/, '') + '/api/events';
    const open = () => {
      ws = new WebSocket(url, ['parley', `parley-token.${this.token}`]);
      ws.onopen = () => ((delay = 500), onStatus(true));
      ws.onmessage = (m) => {
        try {
          onEvent(JSON.parse(String(m.data)) as ApiEvent);
        } catch {
          // not JSON: ignore
        }
      };
      ws.onclose = () => {
        onStatus(false);
        if (!closed) setTimeout(open, (delay = Math.min(delay * 2, 10_000)));
      };
    };
    open();
    return { close: () => ((closed = true), ws?.close()) };
  }
}
