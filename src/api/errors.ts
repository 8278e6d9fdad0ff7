import { ParleyError } from '../wire/errors.js';

/** Errors the API answers with; `status` is the HTTP status. Messages are safe to show a person. */
export class ApiError extends ParleyError {
  constructor(code: string, message: string, readonly status: number) {
    super(code, message);
  }
  static UNAUTHORIZED() {
    return new ApiError('UNAUTHORIZED', 'missing or wrong API token: open the URL that `parley run` printed', 401);
  }
  static FOREIGN_HOST() {
    return new ApiError('FOREIGN_HOST', 'refused: this service answers only to 127.0.0.1 and localhost', 403);
  }
  static FOREIGN_ORIGIN() {
    return new ApiError('FOREIGN_ORIGIN', 'refused: requests from other web pages are not allowed', 403);
  }
  static NOT_RUNNING(status: string) {
    return new ApiError('NOT_RUNNING', status === 'locked' ? 'unlock your identity first' : 'create your identity first (onboarding)', 409);
  }
  static ALREADY_SET_UP() {
    return new ApiError('ALREADY_SET_UP', 'this device already has an identity', 409);
  }
  static NOT_LOCKED() {
    return new ApiError('NOT_LOCKED', 'the identity is not locked', 409);
  }
  static BAD_REQUEST(message: string) {
    return new ApiError('BAD_REQUEST', message, 400);
  }
  static NOT_FOUND() {
    return new ApiError('NOT_FOUND', 'no such endpoint', 404);
  }
  static override is(err: unknown): err is ApiError {
    return err instanceof ApiError;
  }
}

/** HTTP status for an error from a lower layer: user mistakes are 4xx, anything unknown is 500. */
export function statusOf(err: ParleyError): number {
  if (ApiError.is(err)) return err.status;
  switch (err.code) {
    case 'UNKNOWN_CONTACT':
    case 'NOT_A_REQUEST':
      return 404;
    case 'NO_KEY_YET':
    case 'NO_KEY_CHANGE':
    case 'BLOCKED':
      return 409;
    case 'WRONG_PASSPHRASE':
      return 403;
    default:
      return 400;
  }
}
