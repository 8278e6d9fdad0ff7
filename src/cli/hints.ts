import type { ParleyError } from '../wire/errors.js';

/**
 * What to run next, for the errors a command line can act on. The layers below say what went
 * wrong in words that fit the web UI too; the commands to type are the CLI's to name.
 */
const HINTS: Partial<Record<string, string>> = {
  DB_LOCKED: 'start `parley run --passphrase`, or run `parley unlock` while it runs, or unlock it in the web UI',
  UNKNOWN_CONTACT: 'add it with `parley contact add <ID>`',
  NO_IDENTITY: 'create one with `parley init --home <dir>`',
  LOCKED: 'start `parley run --passphrase` (or unlock it in the web UI, or with `parley unlock`); commands then hand their work to it',
  NO_BOOTSTRAP: 'start a local network with `parley testnet`, or pass --bootstrap host:port',
  BAD_PHONE: 'pass a default region with --region CC',
  UNKNOWN_ATTESTOR: 'trust an attestor by naming it with --attestor <url>',
  ATTESTOR_KEY_CHANGED: 'to forget the old key, run `parley signup forget-attestor <url>`',
  ATTESTOR_UNREACHABLE: 'check the --attestor URL',
  NO_PENDING: 'start one with `parley signup email <address>` or `parley signup phone <number>`',
  NO_ATTESTOR: 'name one with --attestor <url> (or run `parley testnet --attestor`)',
};

/** The error's sentence, with the command to run next when there is one. */
export function withHint(err: ParleyError): { message: string; hint?: string } {
  const hint = HINTS[err.code];
  return hint ? { message: `${err.message}; ${hint}`, hint } : { message: err.message };
}
