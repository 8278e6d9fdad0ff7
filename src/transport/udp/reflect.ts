import { randomBytes } from 'node:crypto';
import type { UDXSocket } from 'udx-native';
import { decodeDatagram, encodeDatagram, TXID_BYTES } from '../../wire/udp-datagrams.js';
import { TransportError } from '../errors.js';

export interface Reflector {
  host: string;
  port: number;
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * How this socket's NAT maps it to the outside, as seen by one or two relays:
 * - `stable`: every relay saw the same public address and port (endpoint-independent mapping), so
 *   the mapping another person will reach is known;
 * - `changes-ports`: each destination got a different port (address-dependent, "symmetric"), so
 *   the port another person will see cannot be known in advance;
 * - `unknown`: only one relay answered, so a change per destination cannot be ruled out.
 */
export type MappingKind = 'stable' | 'changes-ports' | 'unknown';

export interface Mapping {
  /** The public address:port the first answering relay observed. */
  reflected: HostPort;
  kind: MappingKind;
  /** Every relay's observation, in the order of `reflectors` (null: it did not answer). */
  seen: Array<HostPort | null>;
}

export interface ReflectOptions {
  /** Total time to wait for answers (probes are resent meanwhile: UDP loses datagrams). */
  timeoutMs?: number;
  resendMs?: number;
}

/**
 * Learns the public UDP mapping of `socket` by asking each reflector (a relay's UDP port) what source
 * address it sees. Uses the very socket that will punch, since a NAT maps each socket separately.
 * Resolves once every reflector answered or the time is up; rejects only if none answered.
 */
export async function learnMapping(socket: UDXSocket, reflectors: Reflector[], opts: ReflectOptions = {}): Promise<Mapping> {
  if (reflectors.length === 0) throw TransportError.NO_REFLECTOR('no relay to ask');
  const txids = reflectors.map(() => randomBytes(TXID_BYTES));
  const seen: Array<HostPort | null> = reflectors.map(() => null);
  await new Promise<void>((resolve) => {
    const onMessage = (msg: Buffer, from: { host: string; port: number }) => {
      const d = decodeDatagram(msg);
      if (d?.type !== 'reflected') return;
      const i = txids.findIndex((t, j) => t.equals(d.txid) && reflectors[j]!.port === from.port && sameHost(reflectors[j]!.host, from.host));
      if (i < 0 || seen[i]) return;
      seen[i] = { host: d.host, port: d.port };
      if (seen.every(Boolean)) done();
    };
    const send = () => reflectors.forEach((r, i) => seen[i] || socket.trySend(encodeDatagram({ type: 'reflect', txid: txids[i]! }), r.port, r.host));
    const resend = setInterval(send, opts.resendMs ?? 250);
    const deadline = setTimeout(() => done(), opts.timeoutMs ?? 2_000);
    function done() {
      clearInterval(resend);
      clearTimeout(deadline);
      socket.off('message', onMessage);
      resolve();
    }
    socket.on('message', onMessage);
    send();
  });
  const answers = seen.filter((s): s is HostPort => s !== null);
  if (answers.length === 0) throw TransportError.NO_REFLECTOR('no relay answered over UDP');
  const kind: MappingKind =
    answers.length < 2 ? 'unknown' : answers.every((a) => a.host === answers[0]!.host && a.port === answers[0]!.port) ? 'stable' : 'changes-ports';
  return { reflected: answers[0]!, kind, seen };
}

function sameHost(a: string, b: string): boolean {
  return a === b || b === `::ffff:${a}`;
}
