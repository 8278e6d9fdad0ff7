import { ParleyError } from '../wire/errors.js';
import { isAnswerCode, type AnswerCode } from '../api/index.js';

export const CLI_ERROR_CODES = [
  'BUSY',
  'DAEMON_GONE',
  'DAEMON_REFUSED',
  'BAD_NUMBER',
  'NO_NETWORK',
  'BAD_RELAY_ENTRY',
  'BAD_BOOTSTRAP_ENTRY',
  'PASSPHRASE_NEEDED',
  'NOT_SERVED',
  'AMBIGUOUS_NAME',
  'NO_SUCH_NAME',
  'BAD_RELAY_ACTION',
  'BAD_RELAY_KEY',
  'AMBIGUOUS_MESSAGE',
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** Errors of the command line: its own, and the running daemon's refusals passed through with their code. */
export class CliError extends ParleyError<CliErrorCode | AnswerCode> {
  static BUSY(home: string) {
    return new CliError('BUSY', `another parley process is serving ${home}`);
  }
  static DAEMON_GONE() {
    return new CliError('DAEMON_GONE', 'the running Parley for this home did not answer; is `parley run` still running?');
  }
  /** The daemon's answer to a request, with its code (a newer daemon's unknown code is DAEMON_REFUSED). */
  static FROM_DAEMON(code: string, message: string) {
    return new CliError(isAnswerCode(code) ? code : 'DAEMON_REFUSED', message);
  }
  static PASSPHRASE(reason: string) {
    return new CliError(
      'PASSPHRASE_NEEDED',
      `${reason}; give it with --passphrase (asked on the terminal, or one line on standard input) or --passphrase-file`,
    );
  }
  static NOT_SERVED(home: string) {
    return new CliError('NOT_SERVED', `no running Parley serves ${home}; start one with \`parley run --home ${home} --passphrase\``);
  }
  static AMBIGUOUS_NAME(name: string, ids: string[]) {
    return new CliError(
      'AMBIGUOUS_NAME',
      `${ids.length} contacts are named "${name}" (IDs starting ${ids.join(', ')}); give the ID instead (\`parley contact list\` shows them)`,
    );
  }
  static AMBIGUOUS_MESSAGE(prefix: string) {
    return new CliError(
      'AMBIGUOUS_MESSAGE',
      `more than one message has an ID starting "${prefix}"; give more of the ID (\`parley history --json\` shows them whole)`,
    );
  }
  static NO_SUCH_NAME(name: string) {
    return new CliError('NO_SUCH_NAME', `no contact is named "${name}" and it is not a Parley ID; \`parley contact list\` shows your contacts`);
  }
  static BAD_NUMBER(flag: string) {
    return new CliError('BAD_NUMBER', `${flag} must be a positive whole number`);
  }
  static NO_NETWORK() {
    return new CliError(
      'NO_NETWORK',
      'no network to join: start a local one with `parley testnet`, or pass --bootstrap host:port, or --network mainline for the public DHT',
    );
  }
  static BAD_RELAY(entry: string) {
    return new CliError('BAD_RELAY_ENTRY', `"${entry}" is not host:port:publicKey (the key in base64)`);
  }
  static BAD_RELAY_ACTION(action: string) {
    return new CliError('BAD_RELAY_ACTION', `"${action}" is not something to do with a relay: use pin, unpin, exclude or include`);
  }
  static BAD_RELAY_KEY(key: string) {
    return new CliError('BAD_RELAY_KEY', `"${key}" is not a relay key (44 characters of base64, as \`parley relays\` lists them)`);
  }
  static BAD_BOOTSTRAP(entry: string) {
    return new CliError('BAD_BOOTSTRAP_ENTRY', `"${entry}" is not host:port`);
  }
  static override is(err: unknown): err is CliError {
    return err instanceof CliError;
  }
}
