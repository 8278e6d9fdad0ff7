export * from './errors.js';
export * from './limits.js';
export * from './ids.js';
export * from './descriptor.js';
export * from './allow.js';
export type { RelayLogger } from './logger.js';
export type { RelayMetricsSnapshot, Counts } from './metrics.js';
export * from './server.js';
export * from './client.js';
