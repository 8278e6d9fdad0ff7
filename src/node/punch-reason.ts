import { TransportError } from '../transport/index.js';
import { NodeError } from './errors.js';

/** The reason inside NodeError.UNREACHABLE's sentence (which goes on to say the message waits: it does not, here). */
const UNREACHABLE = /^the contact cannot be reached right now \((.*)\); the message waits in the outbox$/;

/**
 * The plain sentence a receipt carries when a message for a `direct` contact went through their
 * relay instead: the punch's own reason ("direct not possible: both networks change ports"), or
 * why the link could not be made.
 */
export function directNotPossible(err: unknown): string {
  if (TransportError.is(err) && err.code === 'DIRECT_IMPOSSIBLE') return err.message;
  if (TransportError.is(err)) return `direct not possible: ${err.message}`;
  const inner = NodeError.is(err) && err.code === 'UNREACHABLE' ? UNREACHABLE.exec(err.message)?.[1] : undefined;
  return `direct not possible right now: ${inner ?? 'the device-to-device link could not be made'}`;
}
