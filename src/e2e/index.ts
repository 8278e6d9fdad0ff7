export * from './errors.js';
export * from './bundle.js';
export * from './sessions.js';
