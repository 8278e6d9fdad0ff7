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
  /** What every accepted connection is given: one object, not a copy per connection. */
  readonly #connOpts: ConnectionOptions;
  readonly connections = new Set<Connection<In, Out>>();
  droppedForCapacity = 0;

  constructor(codec: FrameCodec<In, Out>, opts: ListenerOptions, onConnection: (conn: Connection<In, Out>) => void) {
    this.#codec = codec;
    this.#opts = opts;
    this.#onConnection = onConnection;
    this.#admission = new Admission(opts, opts.exemptSource);
    this.#connOpts = { ...opts, handshakeTimeoutMs: opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS };
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
    socket.on('error', ignore); // the connection reports it (its stream's error and close)
    const admitted = this.#admission.admit(socket.remoteAddress ?? '');
    if ('refused' in admitted) {
      this.droppedForCapacity++;
      this.#opts.onRejected?.(admitted.refused);
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, false, this.#codec, this.#connOpts);
    this.connections.add(conn);
    const { source } = admitted;
    // 'close' comes once: `on` spares the wrapper `once` would keep for the connection's life.
    conn.on('close', (reason: string) => {
      this.connections.delete(conn);
      this.#admission.closed(source, conn.opened);
      if (!conn.opened) this.#opts.onRejected?.(reason);
    });
    conn.once('open', () => {
      this.#admission.opened(source);
      this.#onConnection(conn);
    });
  }
}

function ignore(): void {}
