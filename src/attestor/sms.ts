import { appendFile } from 'node:fs/promises';
import type { CodeSender } from './email.js';

/**
 * SMS gateways: how a code reaches a phone. `HttpSmsGateway` posts `{to, text}` as JSON to a
 * provider's (or a bridge's) URL; `FileSmsGateway` appends one JSON line per message to a file and
 * `ConsoleSmsGateway` prints it, for local networks and tests (the file or console stands in for
 * the phone, so it necessarily holds the number and the code).
 */
export interface SmsGateway {
  sendSms(to: string, text: string): Promise<void>;
}

export const smsText = (code: string) => `Your Parley code is ${code}. It works once, for a few minutes.`;

/** A CodeSender over any SMS gateway. */
export function smsSender(gateway: SmsGateway): CodeSender {
  return { send: (to, code) => gateway.sendSms(to, smsText(code)) };
}

export class HttpSmsGateway implements SmsGateway {
  constructor(private readonly o: { url: string; token?: string; timeoutMs?: number; fetch?: typeof fetch }) {
    if (!/^https?:\/\//.test(o.url)) throw new Error('the SMS gateway URL must start with http:// or https://');
  }
  async sendSms(to: string, text: string): Promise<void> {
    const res = await (this.o.fetch ?? fetch)(this.o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}) },
      body: JSON.stringify({ to, text }),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
  }
}

export class FileSmsGateway implements SmsGateway {
  constructor(readonly path: string) {}
  async sendSms(to: string, text: string): Promise<void> {
    await appendFile(this.path, JSON.stringify({ to, text }) + '\n', { mode: 0o600 });
  }
}

export class ConsoleSmsGateway implements SmsGateway {
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(l)) {}
  async sendSms(to: string, text: string): Promise<void> {
    this.write(`SMS to ${to}: ${text}\n`);
  }
}
