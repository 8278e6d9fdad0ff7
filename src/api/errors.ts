import { ParleyError, WIRE_ERROR_CODES, type WireErrorCode } from '../wire/errors.js';
import { IDENTITY_ERROR_CODES, type IdentityErrorCode } from '../identity/index.js';
import { STORE_ERROR_CODES, type StoreErrorCode } from '../store/index.js';
import { DHT_ERROR_CODES, type DhtErrorCode } from '../dht/index.js';
import { TRANSPORT_ERROR_CODES, type TransportErrorCode } from '../transport/index.js';
import { E2E_ERROR_CODES, type E2EErrorCode } from '../e2e/index.js';
import { RELAY_ERROR_CODES, type RelayErrorCode } from '../relay/index.js';
import { SIGNUP_ERROR_CODES, type SignupErrorCode } from '../signup/index.js';
import { NODE_ERROR_CODES, type NodeErrorCode } from '../node/index.js';

export const API_ERROR_CODES = [
  'UNAUTHORIZED',
  'FOREIGN_HOST',
  'FOREIGN_ORIGIN',
  'NOT_RUNNING',
  'ALREADY_SET_UP',
  'NOT_LOCKED',
  'HOME_BUSY',
  'NO_ATTESTOR_CONFIGURED',
  'BAD_INPUT',
  'UNKNOWN_ROUTE',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Errors the API answers with; `status` is the HTTP status. Messages are safe to show a person. */
export class ApiError extends ParleyError<ApiErrorCode> {
  constructor(
    code: ApiErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(code, message);
  }
  static UNAUTHORIZED() {
    return new ApiError('UNAUTHORIZED', 'missing or wrong API token: open the link Parley printed when it started', 401);
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
  static HOME_BUSY() {
    return new ApiError('HOME_BUSY', 'another Parley process is running for this home', 409);
  }
  static NO_ATTESTOR_CONFIGURED() {
    return new ApiError('NO_ATTESTOR_CONFIGURED', 'no attestor is configured, so this Parley offers incognito sign-up only', 409);
  }
  static BAD_REQUEST(message: string) {
    return new ApiError('BAD_INPUT', message, 400);
  }
  static NOT_FOUND() {
    return new ApiError('UNKNOWN_ROUTE', 'no such endpoint', 404);
  }
  static INTERNAL() {
    return new ApiError('INTERNAL', 'something went wrong inside Parley; nothing was lost, try again', 500);
  }
  static override is(err: unknown): err is ApiError {
    return err instanceof ApiError;
  }
}

/** The codes of every layer the daemon stands on: what an API answer's `code` may be besides the API's own. */
export type LowerErrorCode =
  WireErrorCode | IdentityErrorCode | StoreErrorCode | DhtErrorCode | TransportErrorCode | E2EErrorCode | RelayErrorCode | SignupErrorCode | NodeErrorCode;

export const LOWER_ERROR_CODES: readonly LowerErrorCode[] = [
  ...WIRE_ERROR_CODES,
  ...IDENTITY_ERROR_CODES,
  ...STORE_ERROR_CODES,
  ...DHT_ERROR_CODES,
  ...TRANSPORT_ERROR_CODES,
  ...E2E_ERROR_CODES,
  ...RELAY_ERROR_CODES,
  ...SIGNUP_ERROR_CODES,
  ...NODE_ERROR_CODES,
];

/** Every code an API answer may carry. */
export type AnswerCode = ApiErrorCode | LowerErrorCode;
export const isAnswerCode = (code: string): code is AnswerCode =>
  (API_ERROR_CODES as readonly string[]).includes(code) || (LOWER_ERROR_CODES as readonly string[]).includes(code);

const attestorRefusals = Object.fromEntries(
  SIGNUP_ERROR_CODES.filter(
    (c) => c.startsWith('ATTESTOR_') && !['ATTESTOR_KEY_CHANGED', 'ATTESTOR_UNREACHABLE', 'ATTESTOR_BAD_REPLY', 'ATTESTOR_REFUSED'].includes(c),
  ).map((c) => [c, 400]),
) as Record<
  Exclude<Extract<SignupErrorCode, `ATTESTOR_${string}`>, 'ATTESTOR_KEY_CHANGED' | 'ATTESTOR_UNREACHABLE' | 'ATTESTOR_BAD_REPLY' | 'ATTESTOR_REFUSED'>,
  number
>;

/**
 * The HTTP status of each lower layer's code (an attestor's refusal is the person's to fix: 400): a person's mistake is 4xx, the network's or a peer's
 * failure 502/503/504, our own 500. A code added to a layer without a status here does not compile.
 */
const STATUS: Record<LowerErrorCode, number> = {
  // wire
  BAD_FRAME: 502,
  FRAME_TOO_LARGE: 502,
  UNSUPPORTED_VERSION: 502,
  // identity
  BAD_ID: 400,
  NO_IDENTITY: 409,
  IDENTITY_EXISTS: 409,
  LOCKED: 409,
  WRONG_PASSPHRASE: 403,
  BAD_KEYFILE: 500,
  // store
  NEWER_SCHEMA: 500,
  DISK: 507,
  DB_LOCKED: 409,
  REENCRYPT_FAILED: 500,
  // dht
  NO_RECORD: 404,
  BAD_SIGNATURE: 502,
  WRONG_KEY: 502,
  VALUE_TOO_LARGE: 400,
  BAD_SCHEMA: 502,
  BAD_BINDING: 502,
  RECORD_EXPIRED: 404,
  PUT_FAILED: 503,
  STALE_SEQ: 409,
  NO_BOOTSTRAP: 503,
  BAD_BOOTSTRAP: 500,
  DHT_STOPPED: 503,
  DHT_TIMEOUT: 504,
  LOOKUP_FAILED: 503,
  DHT_NOT_STARTED: 503,
  BIND_FAILED: 500,
  OLDER_RECORD: 409,
  // transport
  CONNECT_FAILED: 503,
  HANDSHAKE_FAILED: 502,
  CONNECT_TIMEOUT: 504,
  CONNECTION_CLOSED: 503,
  INCOMPATIBLE_RELEASE: 502,
  NO_REFLECTOR: 503,
  DIRECT_IMPOSSIBLE: 503,
  // e2e
  BAD_BUNDLE: 502,
  DECRYPT_FAILED: 502,
  UNTRUSTED_IDENTITY: 409,
  NO_SESSION: 409,
  // relay
  BAD_REQUEST: 502,
  BAD_REPLY: 502,
  NOT_OWNER: 502,
  UNKNOWN_MAILBOX: 502,
  MAILBOX_FULL: 503,
  RELAY_FULL: 503,
  TOO_MANY_MAILBOXES: 503,
  TOO_LARGE: 400,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  CIRCUIT_REFUSED: 502,
  CIRCUIT_FAILED: 503,
  TOO_MANY_CIRCUITS: 503,
  TIMEOUT: 504,
  CLOSED: 503,
  NOT_CONNECTED: 503,
  REFUSED: 502,
  SOURCE_FULL: 503,
  NO_EXIT: 503,
  EXIT_BUSY: 503,
  DHT_FAILED: 503,
  EXIT_STALE_SEQ: 409,
  // signup
  BAD_EMAIL: 400,
  BAD_PHONE: 400,
  BAD_REGION: 400,
  UNKNOWN_ATTESTOR: 502,
  ATTESTOR_KEY_CHANGED: 409,
  BAD_ATTESTATION: 502,
  FORGED_ATTESTATION: 502,
  WRONG_SALT: 502,
  ATTESTATION_EXPIRED: 404,
  WITHDRAWN: 404,
  ATTESTATION_TOO_LARGE: 502,
  BAD_PROOF: 502,
  ATTESTOR_REFUSED: 502,
  ATTESTOR_UNREACHABLE: 503,
  ATTESTOR_BAD_REPLY: 502,
  BAD_URL: 400,
  NO_PENDING: 409,
  NOTHING_TO_UNLINK: 409,
  NO_ATTESTOR: 409,
  BAD_CONTACTS: 400,
  ...attestorRefusals,
  // node
  UNKNOWN_CONTACT: 404,
  NOT_A_REQUEST: 404,
  NO_KEY_YET: 409,
  NO_KEY_CHANGE: 409,
  BLOCKED: 409,
  SELF: 400,
  TEXT_TOO_LONG: 400,
  EMPTY_TEXT: 400,
  UNREACHABLE: 503,
  DHT_WAITING: 503,
  BAD_SENDER: 502,
  NODE_NOT_STARTED: 503,
  NETWORK_NOT_UP: 503,
  NO_SUCH_MESSAGE: 404,
  NOT_YOUR_MESSAGE: 409,
  NOT_WAITING: 409,
  BAD_TIMER: 400,
  FILE_TOO_LARGE: 413,
  FILE_DAMAGED: 500,
  NO_SUCH_FILE: 404,
  FILE_NOT_READY: 409,
  FILE_UNREADABLE: 400,
  FILE_EXISTS: 409,
  IMAGE_NOT_CLEANED: 422,
  NOT_YOUR_FILE: 409,
  NO_THUMBNAIL: 404,
};

const isLowerCode = (code: string): code is LowerErrorCode => Object.hasOwn(STATUS, code);

/** HTTP status for an error of the API or of a layer below it (another layer's error is ours: 500). */
export function statusOf(err: ParleyError): number {
  if (ApiError.is(err)) return err.status;
  return isLowerCode(err.code) ? STATUS[err.code] : 500;
}
