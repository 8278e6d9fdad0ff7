export * from './errors.js';
export * from './id.js';
export * from './secret.js';
export * from './keypair.js';
export * from './binding.js';
export * from './identity.js';
export * from './keyfile.js';
export { randomBytes, verify as verifyEd25519, sign as signEd25519, hash as namespacedHash, sealTo } from './ed25519.js';
