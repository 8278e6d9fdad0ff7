/**
 * Limits the API enforces and the UI checks before it asks: plain constants, no imports, so the web
 * UI can use them without bundling zod (whose eval probe the page's CSP refuses, loudly in Firefox).
 */

/** Largest message text, in UTF-8 bytes: the same as the wire's MAX_TEXT_BYTES (a test checks it). */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export const utf8Length = (s: string): number => new TextEncoder().encode(s).length;
