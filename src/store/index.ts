export * from './errors.js';
export * from './db.js';
export * from './contacts.js';
export * from './messages.js';
export * from './outbox.js';
export * from './kv.js';
export * from './summary.js';
