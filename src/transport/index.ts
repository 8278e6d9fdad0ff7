export * from './errors.js';
export * from './connection.js';
export * from './listener.js';
export * from './dial.js';
export * from './admission.js';
export * from './source.js';
export * from './udp/index.js';
