export * from './errors.js';
export * from './node.js';
export * from './locked.js';
export * from './queue.js';
export * from './lock.js';
export * from './backoff.js';
export type { RelayAddress } from './my-relay.js';
export * from './contacts.js';
export { KV } from './kv-keys.js';
