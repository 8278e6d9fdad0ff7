export * from './errors.js';
export * from './node.js';
export * from './lock.js';
export * from './backoff.js';
export type { RelayAddress } from './my-relay.js';
export { reachableByStrangers, setReachableByStrangers } from './strangers.js';
