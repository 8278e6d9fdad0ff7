export { startTestnet, type Testnet, type TestnetOptions, type TestnetRelay } from './testnet.js';
export { loopbackAddress } from './addresses.js';
export { TestnetError } from './errors.js';
export { startAttestor, ATTESTOR_HOST, type TestnetAttestor } from './attestor.js';
export { SmtpSink, codeIn, type SunkMail } from './smtp-sink.js';
