import { TransportError } from '../transport/index.js';

/**
 * The plain sentence a receipt carries when a message for a `direct` contact went through their
 * relay instead: the punch's own reason ("direct not possible: both networks change ports"), or
 * why the link could not be made.
 */
export function directNotPossible(err: unknown): string {
  if (TransportError.is(err) && err.code === 'DIRECT_IMPOSSIBLE') return err.message;
  if (TransportError.is(err)) return `direct not possible: ${err.message}`;
  return 'direct not possible right now: the device-to-device link could not be made';
}
