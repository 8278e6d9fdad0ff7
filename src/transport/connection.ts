import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import SecretStream from '@hyperswarm/secret-stream';
import type { FrameCodec } from '../wire/json-codec.js';
import { describeError, WireError } from '../wire/errors.js';
import { MAX_FRAME_BYTES } from '../wire/limits.js';
import { guardFrameSizes } from './frame-guard.js';
import { TransportError } from './errors.js';
import { gateResponder, type AdmitRemote } from './gate.js';

export interface KeyPair {
  publicKey: Buffer;
  secretKey: Buffer;
}

export interface ConnectionOptions {
  /** Our static Noise key. */
  keyPair: KeyPair;
  /** Set by the initiator: the responder's static key (Noise IK). */
  remotePublicKey?: Buffer;
  handshakeTimeoutMs?: number;
  /** Close the connection if nothing arrives for this long (keep-alives are sent at a third of it). */
  idleTimeoutMs?: number;
  /** Bytes we allow to queue towards a slow reader before giving up on it. */
  maxQueuedBytes?: number;
  /** Responder only: answer the handshake only for initiator keys this accepts (see gate.ts). */
  admitRemote?: AdmitRemote;
}

/**
 * One Noise IK stream over a TCP socket, carrying frames of one codec. Emits `frame` for each valid
 * frame and `close` once, with a reason (a short code) — a bad frame closes only this connection.
 */
export class Connection<In, Out> extends EventEmitter {
  readonly stream: SecretStream;
  readonly remoteHost: string;
  readonly remotePort: number;
  closeReason: string | null = null;
  #opened = false;
  readonly #codec: FrameCodec<In, Out>;
  readonly #maxQueued: number;

  constructor(socket: Socket | Duplex, isInitiator: boolean, codec: FrameCodec<In, Out>, opts: ConnectionOptions) {
    super();
    this.#codec = codec;
    this.#maxQueued = opts.maxQueuedBytes ?? 4 * 1024 * 1024;
    const tcp = socket as Partial<Socket>;
    this.remoteHost = tcp.remoteAddress ?? '';
    this.remotePort = tcp.remotePort ?? 0;
    tcp.setNoDelay?.(true);
    guardFrameSizes(socket, MAX_FRAME_BYTES + 1024, (n) => this.close(WireError.FRAME_TOO_LARGE(n, MAX_FRAME_BYTES).code));
    this.stream = new SecretStream(isInitiator, socket, {
      pattern: 'IK',
      keyPair: opts.keyPair,
      ...(opts.remotePublicKey ? { remotePublicKey: opts.remotePublicKey } : {}),
    });
    if (!isInitiator && opts.admitRemote) gateResponder(this.stream, opts.admitRemote, () => (this.closeReason ??= 'REFUSED'));
    const handshakeTimer = setTimeout(() => this.close('HANDSHAKE_TIMEOUT'), opts.handshakeTimeoutMs ?? 10_000);
    handshakeTimer.unref();
    this.stream.on('open', () => {
      clearTimeout(handshakeTimer);
      this.#opened = true;
      const idle = opts.idleTimeoutMs ?? 60_000;
      this.stream.setTimeout(idle);
      this.stream.setKeepAlive(Math.floor(idle / 3));
      this.emit('open');
    });
    this.stream.on('data', (bytes: Buffer) => this.#onData(bytes));
    this.stream.on('error', (err: unknown) => {
      this.closeReason ??= this.#opened ? streamErrorReason(err) : 'HANDSHAKE_FAILED';
    });
    this.stream.on('close', () => {
      clearTimeout(handshakeTimer);
      this.closeReason ??= this.#opened ? 'CLOSED' : 'HANDSHAKE_FAILED';
      this.emit('close', this.closeReason);
    });
  }

  get opened(): boolean {
    return this.#opened;
  }

  get remotePublicKey(): Buffer | null {
    return this.stream.remotePublicKey;
  }

  /** Resolves when the handshake completes; rejects with a TransportError if it fails. */
  waitOpen(): Promise<void> {
    if (this.#opened) return Promise.resolve();
    if (this.closeReason) return Promise.reject(TransportError.CLOSED(this.closeReason));
    return new Promise((resolve, reject) => {
      const onOpen = () => { this.off('close', onClose); resolve(); };
      const onClose = (reason: string) => {
        this.off('open', onOpen);
        reject(reason === 'HANDSHAKE_FAILED' ? TransportError.HANDSHAKE_FAILED() : TransportError.CLOSED(reason));
      };
      this.once('open', onOpen);
      this.once('close', onClose);
    });
  }

  /** Sends one frame; returns false (and closes) if the peer is too slow to keep up. */
  send(frame: In): boolean {
    if (this.closeReason) return false;
    if (this.queuedBytes > this.#maxQueued) {
      this.close('SLOW_READER');
      return false;
    }
    this.stream.write(this.#codec.encode(frame));
    return true;
  }

  /** Bytes written but not yet handed to the kernel: the secret-stream's (streamx) buffer plus the socket's. */
  get queuedBytes(): number {
    const state = (this.stream as unknown as { _writableState?: { buffered?: number } })._writableState;
    const raw = this.stream.rawStream as unknown as { writableLength?: number } | null;
    return (state?.buffered ?? 0) + (raw?.writableLength ?? 0);
  }

  close(reason = 'LOCAL_CLOSE'): void {
    this.closeReason ??= reason;
    this.stream.destroy();
  }

  #onData(bytes: Buffer): void {
    if (bytes.length === 0) return; // keep-alive
    let frame: Out;
    try {
      frame = this.#codec.decode(bytes);
    } catch (err) {
      this.close(WireError.is(err) ? err.code : 'BAD_FRAME');
      return;
    }
    try {
      this.emit('frame', frame);
    } catch (err) {
      this.close(`HANDLER_ERROR ${describeError(err)}`);
    }
  }
}

function streamErrorReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ETIMEDOUT' || (err instanceof Error && /timed out/i.test(err.message))) return 'IDLE_TIMEOUT';
  return typeof code === 'string' ? code : 'STREAM_ERROR';
}
