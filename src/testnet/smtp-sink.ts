import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink received: its envelope recipients and its raw text. */
export interface SunkMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives in memory (at most `max` messages),
 * standing in for people's mailboxes on a local network. Emits `mail` (SunkMail).
 */
export class SmtpSink extends EventEmitter {
  readonly mails: SunkMail[] = [];
  readonly #server: SMTPServer;
  readonly #host: string;

  constructor(opts: { host?: string; max?: number } = {}) {
    super();
    this.#host = opts.host ?? '127.0.0.1';
    const max = opts.max ?? 1_000;
    this.#server = new SMTPServer({
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      size: 64 * 1024,
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mail = { to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString('utf8') };
          this.mails.push(mail);
          if (this.mails.length > max) this.mails.shift();
          this.emit('mail', mail);
          done();
        });
      },
    });
    this.#server.on('error', () => {});
  }

  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.server.once('error', reject);
      this.#server.listen(port, this.#host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  address(): { host: string; port: number } {
    const a = this.#server.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Takes (removes) the oldest mail held for `to`, waiting for one if none is here yet. */
  async take(to: string, timeoutMs = 5_000): Promise<SunkMail> {
    const want = to.toLowerCase();
    const i = this.mails.findIndex((m) => m.to.includes(want));
    if (i >= 0) return this.mails.splice(i, 1)[0]!;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('mail', on);
        reject(new Error('no mail arrived in time'));
      }, timeoutMs);
      const on = (m: SunkMail) => {
        if (!m.to.includes(want)) return;
        clearTimeout(timer);
        this.off('mail', on);
        const j = this.mails.indexOf(m);
        if (j >= 0) this.mails.splice(j, 1);
        resolve(m);
      };
      this.on('mail', on);
    });
  }

  /** Removes and forgets every mail held (so a test can show nothing is left behind). */
  clear(): void {
    this.mails.length = 0;
  }
}

/** The six-digit Parley code in a message's text, if any. */
export function codeIn(raw: string): string | null {
  return /Parley (?:sign-up )?code(?: is|:) ([0-9]{6})/.exec(raw)?.[1] ?? null;
}
