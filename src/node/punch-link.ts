import type UDX from 'udx-native';
import { randomBytes } from '../identity/index.js';
import { learnMapping, punch, type PunchCandidates, type Reflector } from '../transport/index.js';
import type { KeyPair } from '../transport/connection.js';
import { peerCodec } from '../wire/peer-frames.js';
import type { PeerConn } from './peers.js';

export type UdxSocket = ReturnType<UDX['createSocket']>;

/** The other side's candidates, and the Noise key their end of the punched link must prove. */
export type Theirs = PunchCandidates & { key: Buffer };

export interface Prepared {
  socket: UdxSocket;
  mine: PunchCandidates;
}

/**
 * A fresh UDP socket and what to tell the other side about it: its public mapping as the relays'
 * reflectors saw it (a NAT maps each socket apart, so this very socket will punch), and its local
 * address for a contact on the same network (never a wildcard: nobody can reach that).
 */
export async function prepareSocket(udx: UDX, host: string, reflectors: Reflector[]): Promise<Prepared> {
  const socket = udx.createSocket();
  try {
    socket.bind(0, host);
    const mapping = await learnMapping(socket, reflectors);
    const local = socket.address()!;
    const lan = local.host !== mapping.reflected.host && local.host !== '0.0.0.0' ? [{ host: local.host, port: local.port }] : [];
    const streamId = 1 + (randomBytes(4).readUInt32BE(0) % 0xfffffffe);
    return { socket, mine: { addresses: [mapping.reflected, ...lan], kind: mapping.kind, streamId } };
  } catch (err) {
    void socket.close();
    throw err;
  }
}

export interface LinkAttempt {
  isInitiator: boolean;
  mine: PunchCandidates;
  theirs: Theirs;
  punchId: string;
  keyPair: KeyPair;
  deadlineMs: number;
  /** How long the first probes keep a low TTL (longer for the side that starts first). */
  openMs?: number;
}

/**
 * Punches from `socket` and runs the peer protocol over Noise IK on the punched UDX stream: the
 * link is the contact's only once the handshake proved their key. The socket closes with the link
 * (or at once, when the punch fails).
 */
export async function punchLink(socket: UdxSocket, a: LinkAttempt): Promise<PeerConn> {
  const { connection } = await punch({
    socket,
    isInitiator: a.isInitiator,
    mine: a.mine,
    theirs: { addresses: a.theirs.addresses, kind: a.theirs.kind, streamId: a.theirs.streamId },
    punchId: Buffer.from(a.punchId, 'hex'),
    codec: peerCodec,
    keyPair: a.keyPair,
    remotePublicKey: a.theirs.key,
    deadlineMs: a.deadlineMs,
    ...(a.openMs ? { openMs: a.openMs } : {}),
  });
  const conn: PeerConn = connection;
  conn.once('close', () => void socket.close());
  return conn;
}
