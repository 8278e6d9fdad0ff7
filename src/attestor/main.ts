import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { AttestorKeys } from './keys.js';
import { AttestorServer } from './server.js';
import { SmtpCodeSender } from './email.js';
import { ConsoleSmsGateway, FileSmsGateway, HttpSmsGateway, smsSender, type SmsGateway } from './sms.js';

const USAGE = `usage: attestor [--host 127.0.0.1] [--port 0] [--key-file PATH]
                [--smtp HOST:PORT --smtp-from ADDR [--smtp-secure] [--smtp-user USER]]
                [--sms http(s)://gateway | file:PATH | console] [--code-ttl SECONDS] [--trust-proxy ADDR]
  Proves control of an email address or phone number with a one-time code and signs an
  attestation; evaluates blinded lookup keys. Keeps no list of who signed up.
  --key-file      where the attestor's seed lives (created, mode 0600, if missing); without it, a
                  fresh key per run (PARLEY_ATTESTOR_SEED=<64 hex> also works)
  --smtp          SMTP server for email codes (password in PARLEY_SMTP_PASS); without it, no email sign-up
  --trust-proxy   the address of a TLS proxy in front: its X-Forwarded-For names the client for rate limits
  --sms           SMS gateway: an HTTP endpoint that takes {"to","text"} as JSON (bearer token in
                  PARLEY_SMS_TOKEN), a file to append messages to, or the console; without it, no phone sign-up
Prints {"url","signingKey","oprfKey","kinds"} as one JSON line, stops on SIGINT/SIGTERM.`;

/** `parley attestor`: flags in, an AttestorServer out. */
export async function attestorMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<AttestorServer> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'key-file': { type: 'string' },
      smtp: { type: 'string' },
      'smtp-from': { type: 'string', default: 'Parley <no-reply@localhost>' },
      'smtp-secure': { type: 'boolean', default: false },
      'smtp-user': { type: 'string' },
      sms: { type: 'string' },
      'code-ttl': { type: 'string', default: '600' },
      'trust-proxy': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const server = new AttestorServer({
    keys: keys(values['key-file'], env.PARLEY_ATTESTOR_SEED),
    host: values.host,
    port: int(values.port, '--port', 0, 65535),
    codeTtlMs: int(values['code-ttl'], '--code-ttl', 30, 3600) * 1000,
    ...(values['trust-proxy'] ? { trustProxy: values['trust-proxy'] } : {}),
    ...(values.smtp ? { email: smtp(values.smtp, values['smtp-from'], values['smtp-secure'], values['smtp-user'], env.PARLEY_SMTP_PASS) } : {}),
    ...(values.sms ? { sms: smsSender(gateway(values.sms, env.PARLEY_SMS_TOKEN)) } : {}),
  });
  await server.start();
  const info = server.info();
  process.stdout.write(JSON.stringify({ url: server.url(), signingKey: info.signingKey, oprfKey: info.oprfKey, kinds: info.kinds }) + '\n');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

function keys(file: string | undefined, seed: string | undefined): AttestorKeys {
  if (file) return AttestorKeys.fromFile(file);
  if (seed !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(seed)) throw new Error('PARLEY_ATTESTOR_SEED must be 64 hex characters');
    return new AttestorKeys(Buffer.from(seed, 'hex'));
  }
  return AttestorKeys.generate();
}

function smtp(hostPort: string, from: string, secure: boolean, user: string | undefined, pass: string | undefined): SmtpCodeSender {
  const m = /^([^\s:]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(hostPort);
  if (!m) throw new Error('--smtp must be host:port');
  return new SmtpCodeSender({
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: int(m[2]!, '--smtp port', 1, 65535),
    from,
    secure,
    ...(user ? { user, pass: pass ?? '' } : {}),
  });
}

function gateway(spec: string, token: string | undefined): SmsGateway {
  if (spec === 'console') return new ConsoleSmsGateway((l) => process.stderr.write(l));
  if (spec.startsWith('file:')) return new FileSmsGateway(spec.slice(5));
  if (/^https?:\/\//.test(spec)) return new HttpSmsGateway({ url: spec, ...(token ? { token } : {}) });
  throw new Error('--sms must be an http(s) URL, file:PATH or console');
}

function int(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

// Run as a program only when this file itself is the entry (not when bundled into the CLI, where
// import.meta.url is the bundle's, nor when imported).
if (process.argv[1] && /[\\/]attestor[\\/]main\.[jt]s$/.test(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) {
  attestorMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`attestor: ${err instanceof Error ? err.message : 'failed to start'}\n${USAGE}\n`);
    process.exit(1);
  });
}
