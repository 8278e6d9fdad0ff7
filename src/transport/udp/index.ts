export * from './reflect.js';
export * from './punch.js';
