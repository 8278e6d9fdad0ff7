import { ApiClientError } from '../api/client.js';

export function errorText(err: unknown): string {
  if (err instanceof ApiClientError) return err.message;
  return 'Parley is not answering. Is `parley run` still running?';
}
