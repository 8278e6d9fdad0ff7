import type { Duplex } from 'node:stream';
import { Ed25519KeyPair, randomBytes } from '../identity/index.js';
import { Connection, dial, type KeyPair } from '../transport/index.js';
import { relayClientCodec, type ClientToRelayOut, type RelayToClient } from '../wire/relay-frames.js';

export type ClientConnection = Connection<ClientToRelayOut, RelayToClient>;

/** Whatever can open a circuit: a connected client of another relay. */
export interface CircuitOpener {
  openCircuitStream(host: string, port: number, publicKey: Buffer): Promise<Duplex>;
}

export interface RelayConnectOptions {
  host: string;
  port: number;
  publicKey: Buffer;
  localAddress?: string | undefined;
  via?: CircuitOpener | undefined;
  keyPair?: KeyPair | undefined;
  connectTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
}

/**
 * Noise IK to a relay's key, directly over TCP or through a circuit of another relay. Our side of
 * the handshake uses a fresh key unless told otherwise, so relays cannot link our connections.
 */
export async function connectRelay(o: RelayConnectOptions): Promise<ClientConnection> {
  const common = {
    keyPair: o.keyPair ?? Ed25519KeyPair.fromSeed(randomBytes(32)).forNoise(),
    remotePublicKey: o.publicKey,
    handshakeTimeoutMs: o.connectTimeoutMs ?? 10_000,
    ...(o.idleTimeoutMs ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  };
  if (!o.via) {
    return dial(relayClientCodec, {
      ...common,
      host: o.host,
      port: o.port,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
    });
  }
  const raw = await o.via.openCircuitStream(o.host, o.port, o.publicKey);
  // A CircuitStream offers the socket members Connection reads (see circuit-stream.ts).
  const conn: ClientConnection = new Connection(raw, true, relayClientCodec, common);
  await conn.waitOpen();
  return conn;
}
