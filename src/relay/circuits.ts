import { connect, type Socket } from 'node:net';
import { MAX_CIRCUIT_CHUNK, RELAY_PROTOCOL_VERSION as v, type RelayToClientOut } from '../wire/relay-frames.js';
import { bindFor } from './allow.js';
import { RelayError } from './errors.js';
import { slices } from './flow.js';
import type { RelayLimits } from './limits.js';
import type { NextHops } from './next-hop.js';

/** Above this many bytes queued towards the client, reading from the next relay pauses. */
const PAUSE_AT_BYTES = 256 * 1024;

export interface CircuitDeps {
  limits: RelayLimits;
  /** Decides whether the next hop is a relay, before any client byte goes there. */
  hops: NextHops;
  /** Our own listening address: outgoing circuit sockets leave from it, never from a client's. */
  localAddress: string;
  /** Circuits open on the whole relay (shared by every connection). */
  registry: { open: number; opened: number };
  drop: (reason: string) => void;
  send: (frame: RelayToClientOut) => void;
  /** Answers request `id` with an error code (counted). */
  fail: (id: number, code: string) => void;
  queued: () => number;
  onDrain: (resume: () => void) => void;
}

/**
 * One connection's circuits: each splices the client's `circuit-data` frames to a TCP socket to
 * another relay, and back. The relay sees only the inner Noise stream's ciphertext. A circuit is
 * first `verifying` (its next hop is proven to be a relay), and only then connected.
 */
export class SessionCircuits {
  readonly #open = new Map<number, Socket | symbol>();
  #ended = false;
  constructor(private readonly deps: CircuitDeps) {}

  open(id: number, c: number, host: string, port: number, key: Buffer): void {
    const { limits, hops, registry } = this.deps;
    hops.checkAddress(host);
    if (this.#open.has(c)) throw RelayError.BAD_REQUEST('circuit number in use');
    if (this.#open.size >= limits.circuitsPerConnection || registry.open >= limits.maxCircuits) throw RelayError.TOO_MANY_CIRCUITS();
    const verifying = Symbol('verifying');
    this.#open.set(c, verifying);
    registry.open++;
    // Every request is answered once: opened, refused, or (closed by the client meanwhile) CLOSED.
    hops.verify(host, port, key).then(
      () => {
        if (this.#open.get(c) === verifying) this.#connect(id, c, host, port);
        else if (!this.#ended) this.deps.fail(id, 'CLOSED');
      },
      (err: unknown) => {
        if (this.#open.get(c) === verifying) this.#forget(c);
        if (!this.#ended) this.deps.fail(id, RelayError.is(err) ? err.code : 'CIRCUIT_FAILED');
      },
    );
  }

  #connect(id: number, c: number, host: string, port: number): void {
    const { limits, localAddress, registry } = this.deps;
    const socket = connect({ host, port, ...bindFor(localAddress, host) });
    socket.setNoDelay(true);
    this.#open.set(c, socket);
    let connected = false;
    const timer = setTimeout(() => socket.destroy(), limits.circuitConnectTimeoutMs);
    timer.unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      connected = true;
      registry.opened++;
      this.deps.send({ v, t: 'circuit-opened', id, c });
    });
    socket.on('data', (chunk: Buffer) => this.#toClient(c, socket, chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      if (this.#open.get(c) !== socket) return; // already closed from our side
      this.#forget(c);
      if (connected) this.deps.send({ v, t: 'circuit-close', c, reason: 'UPSTREAM_CLOSED' });
      else this.deps.fail(id, 'CIRCUIT_FAILED');
    });
  }

  data(c: number, bytes: Buffer): void {
    const socket = this.#open.get(c);
    if (!socket || typeof socket === 'symbol' || socket.connecting) {
      this.deps.drop('UNKNOWN_CIRCUIT');
      return;
    }
    if (socket.writableLength + bytes.length > this.deps.limits.circuitQueuedBytes) {
      this.deps.drop('CIRCUIT_OVERFLOW');
      this.close(c, 'CIRCUIT_OVERFLOW', true);
      return;
    }
    socket.write(bytes);
  }

  close(c: number, reason: string, tellClient: boolean): void {
    const socket = this.#open.get(c);
    if (!socket) return;
    this.#forget(c);
    if (typeof socket !== 'symbol') socket.destroy();
    if (tellClient) this.deps.send({ v, t: 'circuit-close', c, reason });
  }

  closeAll(): void {
    this.#ended = true;
    for (const c of [...this.#open.keys()]) this.close(c, 'CLOSED', false);
  }

  #forget(c: number): void {
    this.#open.delete(c);
    this.deps.registry.open--;
  }

  #toClient(c: number, socket: Socket, chunk: Buffer): void {
    for (const piece of slices(chunk, MAX_CIRCUIT_CHUNK)) this.deps.send({ v, t: 'circuit-data', c, bytes: piece });
    if (this.deps.queued() > PAUSE_AT_BYTES && !socket.isPaused()) {
      socket.pause();
      this.deps.onDrain(() => socket.resume());
    }
  }
}
