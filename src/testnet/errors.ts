import { ParleyError } from '../wire/errors.js';

export const TESTNET_ERROR_CODES = ['BAD_SIZE', 'TESTNET_NOT_JOINED'] as const;
export type TestnetErrorCode = (typeof TESTNET_ERROR_CODES)[number];

export class TestnetError extends ParleyError<TestnetErrorCode> {
  static BAD_SIZE(what: string, max: number) {
    return new TestnetError('BAD_SIZE', `the test network needs between 1 and ${max} ${what}`);
  }
  static NOT_CONNECTED(ms: number) {
    return new TestnetError('TESTNET_NOT_JOINED', `the test network's DHT nodes did not all find each other within ${ms} ms; is loopback traffic blocked?`);
  }
  static override is(err: unknown): err is TestnetError {
    return err instanceof TestnetError;
  }
}
