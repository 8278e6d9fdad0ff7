import { ParleyError } from '../wire/errors.js';

export class TestnetError extends ParleyError {
  static BAD_SIZE(what: string, max: number) {
    return new TestnetError('BAD_SIZE', `The test network needs between 1 and ${max} ${what}.`);
  }
  static NOT_CONNECTED(ms: number) {
    return new TestnetError('NOT_CONNECTED', `The test network's DHT nodes did not all find each other within ${ms} ms; is loopback traffic blocked?`);
  }
  static override is(err: unknown): err is TestnetError {
    return err instanceof TestnetError;
  }
}
