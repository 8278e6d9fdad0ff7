import { Duplex } from 'node:stream';
import { MAX_CIRCUIT_CHUNK, RELAY_PROTOCOL_VERSION as v, type CircuitCloseFrame, type CircuitDataFrame, type ClientToRelayOut } from '../wire/relay-frames.js';
import type { Connection } from '../transport/index.js';
import { drained, queuedBytes, slices } from './flow.js';

/** Above this many bytes queued towards the relay, circuit writes wait for it to drain. */
const WAIT_AT_BYTES = 256 * 1024;

type OuterConnection = Connection<ClientToRelayOut, unknown>;

/**
 * The bytes of one circuit as a duplex stream, so a second Noise stream (to the next relay) can run
 * over it. It offers the few socket members transport's Connection reads; the remote address is
 * unknown by design.
 */
export class CircuitStream extends Duplex {
  readonly remoteAddress = undefined;
  readonly remotePort = undefined;
  constructor(
    readonly c: number,
    private readonly circuits: ClientCircuits,
  ) {
    super();
  }
  setNoDelay(): this {
    return this;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.circuits.write(this.c, chunk).then(() => cb(), cb);
  }
  override _read(): void {}
  override _final(cb: (err?: Error | null) => void): void {
    this.circuits.close(this.c, 'END');
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.circuits.close(this.c, err ? 'ERROR' : 'CLOSED');
    cb(err);
  }
}

/** The circuits a client runs through one relay connection. */
export class ClientCircuits {
  readonly #streams = new Map<number, CircuitStream>();
  #last = 0;
  constructor(private readonly conn: OuterConnection) {}

  create(): CircuitStream {
    do this.#last = this.#last >= 2 ** 31 ? 1 : this.#last + 1;
    while (this.#streams.has(this.#last));
    const stream = new CircuitStream(this.#last, this);
    this.#streams.set(this.#last, stream);
    return stream;
  }

  async write(c: number, bytes: Buffer): Promise<void> {
    for (const piece of slices(bytes, MAX_CIRCUIT_CHUNK)) {
      if (!this.#streams.has(c) || !this.conn.send({ v, t: 'circuit-data', c, bytes: piece })) {
        throw new Error('circuit closed');
      }
      if (queuedBytes(this.conn) > WAIT_AT_BYTES) await drained(this.conn);
    }
  }

  /** Ends circuit c from our side (tells the relay, once). */
  close(c: number, reason: string): void {
    if (!this.#streams.delete(c)) return;
    this.conn.send({ v, t: 'circuit-close', c, reason });
  }

  /** Forgets circuit c without telling the relay (it refused to open it). */
  forget(c: number): void {
    const stream = this.#streams.get(c);
    this.#streams.delete(c);
    stream?.destroy();
  }

  onFrame(f: CircuitDataFrame | CircuitCloseFrame): void {
    const stream = this.#streams.get(f.c);
    if (!stream) return;
    if (f.t === 'circuit-data') {
      stream.push(f.bytes);
      return;
    }
    this.#streams.delete(f.c);
    stream.push(null);
    stream.destroy();
  }

  closeAll(): void {
    for (const stream of [...this.#streams.values()]) {
      this.#streams.delete(stream.c);
      stream.destroy();
    }
  }
}
