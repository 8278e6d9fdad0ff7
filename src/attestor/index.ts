export * from './errors.js';
export { AttestorKeys } from './keys.js';
export { Attestor, DEFAULT_LIMITS, type AttestorLimits, type AttestorComponents, type AttestorConfig, type AttestorCounters } from './attestor.js';
export { AttestorServer, type AttestorServerOptions } from './server.js';
export { SmtpCodeSender, type CodeSender, type SmtpOptions } from './email.js';
export { HttpSmsGateway, FileSmsGateway, ConsoleSmsGateway, smsSender, smsText, type SmsGateway } from './sms.js';
