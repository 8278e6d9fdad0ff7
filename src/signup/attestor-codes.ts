/** The codes the attestor answers with (AttestorError's); the client names them `ATTESTOR_<code>`. */
export const ATTESTOR_CODES = [
  'MALFORMED_REQUEST',
  'BAD_IDENTIFIER',
  'UNSUPPORTED_KIND',
  'NO_SUCH_CODE',
  'WRONG_CODE',
  'TOO_MANY_ATTEMPTS',
  'BAD_ID_SIGNATURE',
  'NOT_MINE',
  'TOO_MANY_REQUESTS',
  'SEND_FAILED',
  'BAD_POINT',
  'NO_SUCH_ENDPOINT',
  'SERVER_FAILED',
] as const;
export type AttestorCode = (typeof ATTESTOR_CODES)[number];
export const isAttestorCode = (code: string): code is AttestorCode => (ATTESTOR_CODES as readonly string[]).includes(code);
