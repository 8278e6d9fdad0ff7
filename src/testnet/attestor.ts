import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttestorKeys, AttestorServer, FileSmsGateway, SmtpCodeSender, smsSender } from '../attestor/index.js';
import { SmtpSink } from './smtp-sink.js';

/** The testnet's attestor, with where its codes go: a loopback SMTP sink and an SMS file. */
export interface TestnetAttestor {
  url: string;
  signingKey: string;
  oprfKey: string;
  server: AttestorServer;
  /** Every code mail, in memory (a real SMTP server on 127.0.3.10). */
  sink: SmtpSink;
  /** One JSON line {to, text} per SMS. */
  smsFile: string;
  stop(): Promise<void>;
}

/** Attestors live in 127.0.3.x, their SMTP sink beside them. */
export const ATTESTOR_HOST = '127.0.3.10';

export async function startAttestor(opts: { smsFile?: string } = {}): Promise<TestnetAttestor> {
  const sink = new SmtpSink({ host: ATTESTOR_HOST });
  await sink.start();
  const smsFile = opts.smsFile ?? join(mkdtempSync(join(tmpdir(), 'parley-sms-')), 'sms.jsonl');
  const email = new SmtpCodeSender({ ...sink.address(), from: 'Parley testnet <codes@attestor.invalid>' });
  const server = new AttestorServer({ keys: AttestorKeys.generate(), host: ATTESTOR_HOST, email, sms: smsSender(new FileSmsGateway(smsFile)) });
  try {
    await server.start();
  } catch (err) {
    email.close();
    await sink.stop();
    throw err;
  }
  const info = server.info();
  return {
    url: server.url(),
    signingKey: info.signingKey,
    oprfKey: info.oprfKey,
    server,
    sink,
    smsFile,
    async stop() {
      await server.stop();
      email.close();
      await sink.stop();
    },
  };
}
