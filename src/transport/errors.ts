import { ParleyError } from '../wire/errors.js';
import { rangeText, type Speaks } from '../wire/versions.js';

export const TRANSPORT_ERROR_CODES = [
  'CONNECT_FAILED',
  'HANDSHAKE_FAILED',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'INCOMPATIBLE_RELEASE',
  'NO_REFLECTOR',
  'DIRECT_IMPOSSIBLE',
] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

export class TransportError extends ParleyError<TransportErrorCode> {
  static CONNECT_FAILED(reason: string) {
    return new TransportError('CONNECT_FAILED', `could not connect (${reason})`);
  }
  static HANDSHAKE_FAILED() {
    return new TransportError('HANDSHAKE_FAILED', 'the encrypted handshake failed: the other side does not hold the expected key');
  }
  static TIMEOUT(what: string) {
    return new TransportError('CONNECT_TIMEOUT', `${what} timed out`);
  }
  /** No relay answered a UDP address probe, so this side cannot offer a public candidate. */
  static NO_REFLECTOR(why: string) {
    return new TransportError('NO_REFLECTOR', `could not learn the public UDP address (${why})`);
  }
  /** Hole punching cannot or did not work: the message goes through a relay instead. */
  static DIRECT_IMPOSSIBLE(why: string) {
    return new TransportError('DIRECT_IMPOSSIBLE', `direct not possible: ${why}`);
  }
  static CLOSED(reason: string) {
    return new TransportError('CONNECTION_CLOSED', `connection closed (${reason})`);
  }
  /** The two releases share no protocol version; says which side is the older one when it can. */
  static UNSUPPORTED_VERSION(mine: Speaks, theirs: Speaks | null) {
    const side =
      theirs === null
        ? 'an older Parley release that does not say its protocol version: it needs an update'
        : theirs.min > mine.max
          ? `a newer Parley release (protocol ${rangeText(theirs)}; this one speaks ${rangeText(mine)}): update Parley`
          : `an older Parley release (protocol ${rangeText(theirs)}; this one speaks ${rangeText(mine)}): it needs an update`;
    return new TransportError('INCOMPATIBLE_RELEASE', `the other side runs ${side}`);
  }
  static override is(err: unknown): err is TransportError {
    return err instanceof TransportError;
  }
}
