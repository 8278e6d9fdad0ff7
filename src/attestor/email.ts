import nodemailer, { type Transporter } from 'nodemailer';

/** Delivers a one-time code to an address or number. Implementations must not log either. */
export interface CodeSender {
  send(to: string, code: string): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  from: string;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  pass?: string;
  /** Connection and greeting timeout (default 10 s). */
  timeoutMs?: number;
}

/** Sends codes by email through an SMTP server (nodemailer). */
export class SmtpCodeSender implements CodeSender {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(o: SmtpOptions) {
    const timeout = o.timeoutMs ?? 10_000;
    this.#transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure ?? false,
      ...(o.user !== undefined ? { auth: { user: o.user, pass: o.pass ?? '' } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
      debug: false,
    });
    this.#from = o.from;
  }

  async send(to: string, code: string): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to,
      subject: `Your Parley code: ${code}`,
      text: `Your Parley sign-up code is ${code}.\n\nIt works once, for a few minutes. If you did not ask for it, ignore this message: nothing happens without the code.\n`,
    });
  }

  close(): void {
    this.#transport.close();
  }
}
