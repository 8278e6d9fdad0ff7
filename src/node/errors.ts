import { ParleyError } from '../wire/errors.js';

export const NODE_ERROR_CODES = [
  'UNKNOWN_CONTACT',
  'BLOCKED',
  'SELF',
  'TEXT_TOO_LONG',
  'EMPTY_TEXT',
  'UNREACHABLE',
  'DHT_WAITING',
  'BAD_SENDER',
  'NOT_A_REQUEST',
  'NO_KEY_YET',
  'NO_KEY_CHANGE',
  'NODE_NOT_STARTED',
  'NETWORK_NOT_UP',
  'NO_SUCH_MESSAGE',
  'NOT_YOUR_MESSAGE',
  'NOT_WAITING',
  'BAD_TIMER',
  'FILE_TOO_LARGE',
  'FILE_DAMAGED',
  'NO_SUCH_FILE',
  'FILE_NOT_READY',
  'FILE_UNREADABLE',
  'FILE_EXISTS',
  'IMAGE_NOT_CLEANED',
  'NOT_YOUR_FILE',
  'NO_THUMBNAIL',
] as const;
export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

/** What the outbox, the UI and `parley status` say while a relayed person's DHT traffic waits for an exit relay. */
export const DHT_WAITING_SENTENCE = 'waiting for a second relay so your DHT lookups do not come from your address';

export class NodeError extends ParleyError<NodeErrorCode> {
  static UNKNOWN_CONTACT() {
    return new NodeError('UNKNOWN_CONTACT', 'that ID is not in your contacts; add it first');
  }
  static BLOCKED() {
    return new NodeError('BLOCKED', 'you blocked this contact; unblock them before sending');
  }
  static SELF() {
    return new NodeError('SELF', 'that is your own ID');
  }
  static TEXT_TOO_LONG(max: number) {
    return new NodeError('TEXT_TOO_LONG', `the message is longer than ${max} bytes; split it into several`);
  }
  static EMPTY_TEXT() {
    return new NodeError('EMPTY_TEXT', 'the message is empty');
  }
  static UNREACHABLE(reason: string) {
    return new NodeError('UNREACHABLE', `the contact cannot be reached right now (${reason}); the message waits in the outbox`);
  }
  /** Identity-linked DHT traffic waits rather than leave from the person's own address (issue 13 §5). */
  static DHT_WAITING() {
    return new NodeError('DHT_WAITING', DHT_WAITING_SENTENCE);
  }
  static BAD_SENDER(reason: string) {
    return new NodeError('BAD_SENDER', `rejected a message whose sender could not be verified (${reason})`);
  }
  static NOT_A_REQUEST() {
    return new NodeError('NOT_A_REQUEST', 'there is no pending contact request from that ID');
  }
  static NO_KEY_YET() {
    return new NodeError('NO_KEY_YET', 'no key of this contact is known yet: exchange a message first, then compare safety numbers');
  }
  static NO_KEY_CHANGE() {
    return new NodeError('NO_KEY_CHANGE', 'this contact has not offered a new key');
  }
  static NOT_STARTED() {
    return new NodeError('NODE_NOT_STARTED', 'the node is not running');
  }
  /** What needs the DHT was asked for while the network part of the start runs in the background, or after it failed. */
  static NETWORK_NOT_UP(failed: boolean) {
    return new NodeError(
      'NETWORK_NOT_UP',
      failed ? 'not connected: the network did not come up when Parley started' : 'still connecting to the network: try again in a moment',
    );
  }
  static NO_SUCH_MESSAGE() {
    return new NodeError('NO_SUCH_MESSAGE', 'there is no message with that ID (it may have been deleted or have disappeared)');
  }
  static NOT_YOUR_MESSAGE() {
    return new NodeError('NOT_YOUR_MESSAGE', 'only a message you sent can be deleted for everyone; delete it for yourself instead');
  }
  static NOT_WAITING() {
    return new NodeError('NOT_WAITING', 'that message is not waiting in the outbox (it was delivered, or cancelled)');
  }
  static BAD_TIMER() {
    return new NodeError('BAD_TIMER', 'disappearing messages can be off, 5 minutes, 1 hour, 1 day or 1 week');
  }
  static FILE_TOO_LARGE(max: number) {
    return new NodeError('FILE_TOO_LARGE', `the file is larger than ${Math.floor(max / 1024 ** 3)} GiB, the most Parley sends`);
  }
  static FILE_DAMAGED() {
    return new NodeError('FILE_DAMAGED', 'the stored copy of this file is damaged (it does not decrypt); ask for it again');
  }
  static NO_SUCH_FILE() {
    return new NodeError('NO_SUCH_FILE', 'there is no file transfer with that ID');
  }
  static FILE_NOT_READY(state: string) {
    return new NodeError('FILE_NOT_READY', `this file has not arrived whole yet (it is ${state})`);
  }
  static FILE_UNREADABLE(reason: string) {
    return new NodeError('FILE_UNREADABLE', `could not read the file (${reason})`);
  }
  static FILE_EXISTS(path: string) {
    return new NodeError('FILE_EXISTS', `${path} exists already; choose another name (nothing was overwritten)`);
  }
  static IMAGE_NOT_CLEANED(why: string) {
    return new NodeError(
      'IMAGE_NOT_CLEANED',
      `could not remove the location and camera details from this image (${why}), so nothing was sent; convert it to JPEG or PNG, or choose to keep its details to send the original as it is`,
    );
  }
  static NO_THUMBNAIL() {
    return new NodeError('NO_THUMBNAIL', 'this file has no thumbnail (only images have one)');
  }
  static NOT_YOUR_FILE() {
    return new NodeError('NOT_YOUR_FILE', 'only the sender can delete a file for everyone; delete it for you instead');
  }
  static override is(err: unknown): err is NodeError {
    return err instanceof NodeError;
  }
}
