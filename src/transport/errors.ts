import { ParleyError } from '../wire/errors.js';

export class TransportError extends ParleyError {
  static CONNECT_FAILED(reason: string) {
    return new TransportError('CONNECT_FAILED', `could not connect (${reason})`);
  }
  static HANDSHAKE_FAILED() {
    return new TransportError('HANDSHAKE_FAILED', 'the encrypted handshake failed: the other side does not hold the expected key');
  }
  static TIMEOUT(what: string) {
    return new TransportError('TIMEOUT', `${what} timed out`);
  }
  static CLOSED(reason: string) {
    return new TransportError('CLOSED', `connection closed (${reason})`);
  }
  static override is(err: unknown): err is TransportError {
    return err instanceof TransportError;
  }
}
