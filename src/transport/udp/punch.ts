import type { UDXSocket } from 'udx-native';
import type { FrameCodec } from '../../wire/json-codec.js';
import { decodeDatagram, encodeDatagram, PUNCH_ID_BYTES } from '../../wire/udp-datagrams.js';
import { Connection, type KeyPair } from '../connection.js';
import { TransportError } from '../errors.js';
import type { HostPort, MappingKind } from './reflect.js';

/** What one side tells the other (through the end-to-end channel) before both punch. */
export interface PunchCandidates {
  /** Where this side may be reached: its local address and the public mapping a relay reflected. */
  addresses: HostPort[];
  kind: MappingKind;
  /** The UDX stream id this side will use (the other side connects its stream to it). */
  streamId: number;
}

export interface PunchOptions<In, Out> {
  /** A bound UDX socket: the one whose mapping the candidates describe. */
  socket: UDXSocket;
  isInitiator: boolean;
  mine: PunchCandidates;
  theirs: PunchCandidates;
  /** Random, agreed through the end-to-end channel: only probes carrying it count. */
  punchId: Buffer;
  codec: FrameCodec<In, Out>;
  keyPair: KeyPair;
  /** The contact's transport key: the initiator dials it (Noise IK), the responder checks it. */
  remotePublicKey: Buffer;
  /** The whole attempt (probes, UDX stream, Noise handshake) ends by then. */
  deadlineMs?: number;
  probeEveryMs?: number;
  /**
   * For the first `openMs`, probes leave with these small TTLs: they open this side's own NAT(s)
   * but die before the other side's NAT. A probe that reaches a NAT before that NAT has a mapping
   * towards us leaves a conntrack entry there that makes Linux pick another port for the other
   * side's own probes (the port it told us), and the punch fails; hyperdht opens with a low TTL too.
   */
  openTtls?: number[];
  openMs?: number;
  idleTimeoutMs?: number;
}

export interface Punched<In, Out> {
  connection: Connection<In, Out>;
  /** The other side's address that answered first. */
  remote: HostPort;
}

export const BOTH_CHANGE_PORTS = 'both networks change ports';

/**
 * UDP hole punching: both sides send probes to every candidate of the other at once, so each NAT
 * sees outgoing traffic first and lets the other's probes in. The first address a probe (or its
 * answer) arrives from carries a UDX stream, and the existing Noise IK Connection runs over it, so
 * only the holder of the contact's key can complete it. Every loop stops by itself at the deadline.
 */
export function punch<In, Out>(opts: PunchOptions<In, Out>): Promise<Punched<In, Out>> {
  if (opts.mine.kind === 'changes-ports' && opts.theirs.kind === 'changes-ports') {
    return Promise.reject(TransportError.DIRECT_IMPOSSIBLE(BOTH_CHANGE_PORTS));
  }
  if (opts.punchId.length !== PUNCH_ID_BYTES) return Promise.reject(TransportError.DIRECT_IMPOSSIBLE('bad punch id'));
  const { socket, punchId } = opts;
  const deadlineMs = opts.deadlineMs ?? 5_000;
  const started = Date.now();
  const targets = dedupe(opts.theirs.addresses);
  const probe = encodeDatagram({ type: 'punch', punchId });
  const ack = encodeDatagram({ type: 'punch-ack', punchId });

  return new Promise((resolve, reject) => {
    let remote: HostPort | null = null;
    let conn: Connection<In, Out> | null = null;
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearInterval(prober);
      clearTimeout(deadline);
      socket.off('message', onMessage);
      if (err) {
        conn?.close('PUNCH_FAILED');
        reject(err);
      } else resolve({ connection: conn!, remote: remote! });
    };
    const onMessage = (msg: Buffer, from: HostPort) => {
      const d = decodeDatagram(msg);
      if ((d?.type !== 'punch' && d?.type !== 'punch-ack') || !d.punchId.equals(punchId)) return;
      const host = from.host.replace(/^::ffff:/, '');
      if (d.type === 'punch') socket.trySend(ack, from.port, host);
      if (!remote) open({ host, port: from.port });
    };
    const open = (to: HostPort) => {
      remote = to;
      const stream = socket.udx.createStream(opts.mine.streamId);
      stream.connect(socket, opts.theirs.streamId, to.port, to.host);
      conn = new Connection(stream, opts.isInitiator, opts.codec, {
        keyPair: opts.keyPair,
        ...(opts.isInitiator ? { remotePublicKey: opts.remotePublicKey } : {}),
        handshakeTimeoutMs: Math.max(1, deadlineMs - (Date.now() - started)),
        ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      });
      const c = conn;
      c.waitOpen().then(
        () => {
          if (c.remotePublicKey?.equals(opts.remotePublicKey)) return finish(null);
          finish(TransportError.HANDSHAKE_FAILED());
        },
        (err: unknown) => finish(TransportError.is(err) ? err : TransportError.HANDSHAKE_FAILED()),
      );
    };
    const openTtls = opts.openTtls ?? [2, 3];
    const openUntil = started + (opts.openMs ?? 300);
    const send = () => {
      if (remote) return; // found a path: the acks we give keep the other side's probes answered
      if (Date.now() < openUntil) for (const ttl of openTtls) for (const t of targets) socket.trySend(probe, t.port, t.host, ttl);
      else for (const t of targets) socket.trySend(probe, t.port, t.host);
    };
    const prober = setInterval(send, opts.probeEveryMs ?? 50);
    const deadline = setTimeout(
      () => finish(TransportError.DIRECT_IMPOSSIBLE(timeoutReason(opts.mine.kind, opts.theirs.kind, remote !== null, deadlineMs))),
      deadlineMs,
    );
    socket.on('message', onMessage);
    send();
  });
}

function timeoutReason(mine: MappingKind, theirs: MappingKind, gotProbe: boolean, ms: number): string {
  const secs = `${(ms / 1000).toFixed(ms < 1000 ? 1 : 0)} s`;
  if (gotProbe) return `the path opened but the encrypted handshake did not finish within ${secs}`;
  if (mine === 'changes-ports' || theirs === 'changes-ports')
    return `one network changes ports and the other lets no stranger in (no probe got through within ${secs})`;
  return `no probe got through the NATs within ${secs}`;
}

function dedupe(list: HostPort[]): HostPort[] {
  const seen = new Set<string>();
  return list.filter((a) => !seen.has(`${a.host}:${a.port}`) && (seen.add(`${a.host}:${a.port}`), true));
}
