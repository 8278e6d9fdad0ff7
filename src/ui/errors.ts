import { ApiClientError } from '../api/client.js';

/**
 * What a person reads when something fails: a plain sentence. Errors whose API message is written
 * for scripts (formats, encodings, counts) get the UI's own words, by code.
 */
const PLAIN: Record<string, string> = {
  BAD_ID: 'That is not a Parley ID. An ID is 52 letters and digits; you can also paste the whole parley: link.',
  SELF: 'That is your own ID. Add the ID of the person you want to write to.',
  UNAUTHORIZED: 'This page has lost its access key. Open the link that `parley run` printed again.',
};

export function errorText(err: unknown): string {
  if (err instanceof ApiClientError) return PLAIN[err.code] ?? sentence(err.message);
  return 'Parley is not answering. Is `parley run` still running?';
}

/** "the message is empty" → "The message is empty." */
function sentence(s: string): string {
  const t = s.trim();
  if (!t) return 'Something went wrong; nothing was lost. Try again.';
  const cap = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(cap) ? cap : `${cap}.`;
}
