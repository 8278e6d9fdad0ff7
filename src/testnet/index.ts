export { startTestnet, type Testnet, type TestnetOptions, type TestnetRelay } from './testnet.js';
export { loopbackAddress } from './addresses.js';
export { TestnetError } from './errors.js';
