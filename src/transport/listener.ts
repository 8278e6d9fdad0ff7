import { createServer, type Server, type Socket } from 'node:net';
import type { FrameCodec } from '../wire/json-codec.js';
import { Admission, type AdmissionLimits } from './admission.js';
import { Connection, type ConnectionOptions } from './connection.js';

/** How long a socket gets to finish the Noise handshake (a few round trips, even through a circuit). */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

export interface ListenerOptions extends Omit<ConnectionOptions, 'remotePublicKey'>, Partial<AdmissionLimits> {
  /** Addresses held to the totals only, not to one source's share (relays carrying circuits). */
  exemptSource?: (address: string) => boolean;
  host: string;
  port?: number;
  /** Told why a connection that never completed its handshake was dropped (a reason code, nothing else). */
  onRejected?: (reason: string) => void;
}

/**
 * Accepts TCP connections and answers Noise IK as responder with our static key. A connection that
 * does not know our key fails the handshake and gets nothing back.
 */
export class Listener<In, Out> {
  readonly #server: Server;
  readonly #opts: ListenerOptions;
  readonly #codec: FrameCodec<In, Out>;
  readonly #onConnection: (conn: Connection<In, Out>) => void;
  readonly #admission: Admission;
  readonly connections = new Set<Connection<In, Out>>();
  droppedForCapacity = 0;

  constructor(codec: FrameCodec<In, Out>, opts: ListenerOptions, onConnection: (conn: Connection<In, Out>) => void) {
    this.#codec = codec;
    this.#opts = opts;
    this.#onConnection = onConnection;
    this.#admission = new Admission(opts, opts.exemptSource);
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.on('error', () => {});
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port ?? 0, this.#opts.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.#server.address();
    if (!a || typeof a === 'string') throw new Error('listener is not listening');
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.close('SHUTDOWN');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {});
    const admitted = this.#admission.admit(socket.remoteAddress ?? '');
    if ('refused' in admitted) {
      this.droppedForCapacity++;
      this.#opts.onRejected?.(admitted.refused);
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, false, this.#codec, { ...this.#opts, handshakeTimeoutMs: this.#opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS });
    this.connections.add(conn);
    let opened = false;
    conn.once('close', (reason: string) => {
      this.connections.delete(conn);
      this.#admission.closed(admitted.source, opened);
      if (!opened) this.#opts.onRejected?.(reason);
    });
    conn.once('open', () => {
      opened = true;
      this.#admission.opened(admitted.source);
      this.#onConnection(conn);
    });
  }
}
