import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttestorKeys, AttestorServer, FileSmsGateway, SmtpCodeSender, smsSender, type AttestorConfig } from '../../src/attestor/index.js';
import { SmtpSink, codeIn } from '../../src/testnet/smtp-sink.js';

/** An attestor on loopback with a real SMTP sink for email and a file SMS gateway for phones. */
export async function attestorWorld(cfg: AttestorConfig & { now?: () => number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-attestor-'));
  const sink = new SmtpSink({ host: '127.0.0.1' });
  await sink.start();
  const smsFile = join(dir, 'sms.jsonl');
  const email = new SmtpCodeSender({ ...sink.address(), from: 'Parley <codes@attestor.test>' });
  const server = new AttestorServer({ keys: AttestorKeys.generate(), email, sms: smsSender(new FileSmsGateway(smsFile)), host: '127.0.0.1', ...cfg });
  await server.start();
  return {
    dir,
    sink,
    server,
    url: server.url(),
    /** The code mailed to `address`. */
    async mailedCode(address: string): Promise<string> {
      const mail = await sink.take(address);
      const code = codeIn(mail.raw);
      if (!code) throw new Error('the mail holds no code');
      return code;
    },
    /** The last code texted to `e164`. */
    textedCode(e164: string): string {
      const lines = existsSync(smsFile) ? readFileSync(smsFile, 'utf8').trim().split('\n') : [];
      for (const line of lines.reverse()) {
        const m = JSON.parse(line) as { to: string; text: string };
        if (m.to === e164) return /code is ([0-9]{6})/.exec(m.text)![1]!;
      }
      throw new Error('no SMS for that number');
    },
    async close(): Promise<void> {
      await server.stop();
      email.close();
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
