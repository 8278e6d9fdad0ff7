export * from './errors.js';
export * from './schema.js';
export * from './daemon.js';
export * from './server.js';
export * from './token.js';
export { ApiClient, ApiClientError } from './client.js';
export { contactViews, historyView, messageView, outboxView, safetyView, toMessage } from './views.js';
export * from './file-schema.js';
export { FileClient } from './file-client.js';
