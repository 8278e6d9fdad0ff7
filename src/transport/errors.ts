import { ParleyError } from '../wire/errors.js';

export const TRANSPORT_ERROR_CODES = ['CONNECT_FAILED', 'HANDSHAKE_FAILED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED'] as const;
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
  static CLOSED(reason: string) {
    return new TransportError('CONNECTION_CLOSED', `connection closed (${reason})`);
  }
  static override is(err: unknown): err is TransportError {
    return err instanceof TransportError;
  }
}
