import { namespacedHash } from '../identity/index.js';

/** The id of the mailbox owned by whoever holds `secret` (32 bytes): what senders address. */
export function mailboxIdFor(secret: Uint8Array): string {
  return namespacedHash('parley/mailbox/1', secret).toString('base64');
}

/** The id of the blob written by whoever holds `secret` (32 bytes): what readers ask for. */
export function blobIdFor(secret: Uint8Array): string {
  return namespacedHash('parley/blob/1', secret).toString('base64');
}
