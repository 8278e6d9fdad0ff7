import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import SecretStream from '@hyperswarm/secret-stream';
import type { FrameCodec } from '../wire/json-codec.js';
import { describeError, WireError } from '../wire/errors.js';
import { MAX_FRAME_BYTES } from '../wire/limits.js';
import { decodePreamble, encodePreamble, negotiate, type Speaks } from '../wire/versions.js';
import { guardFrameSizes } from './frame-guard.js';
import { BATCH_HEADER, batchedFrames, MAX_BATCH_BYTES } from './batch.js';
import { TransportError } from './errors.js';
import { gateResponder, type AdmitRemote } from './gate.js';
import { sweepPeriod, unwatchIdle, watchIdle, type IdleWatched } from './idle.js';

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
export class Connection<In, Out> extends EventEmitter implements IdleWatched {
  readonly stream: SecretStream;
  readonly remoteHost: string;
  readonly remotePort: number;
  closeReason: string | null = null;
  /** The version of the frame family both sides speak (after open), when the codec has versions. */
  version: number | null = null;
  /** What the other side said it speaks, once its preamble arrived (also when it did not fit ours). */
  theirSpeaks: Speaks | null = null;
  #opened = false;
  /** True between the Noise handshake and the other side's version preamble. */
  #awaitingPreamble = false;
  readonly #codec: FrameCodec<In, Out>;
  readonly #isInitiator: boolean;
  readonly #maxQueued: number;
  readonly #idleMs: number;
  /** Runs until the connection opens: the Noise handshake and, with versions, the preambles. */
  #handshakeTimer: NodeJS.Timeout | null;
  /** Batched codecs: the frames sent in this event-loop turn, each behind its length (see send); made at the first send. */
  #batch: Buffer[] | null = null;
  #batchBytes = 0;
  #flushDue = false;
  /** Whether a message came (went) since the last idle sweep, and when the sweep last saw one (idle.ts). */
  #heard = false;
  #spoke = false;
  #lastHeard = 0;
  #lastSpoke = 0;
  /** Our side ended: no more keep-alives. */
  #ended = false;

  /*
   * A relay holds thousands of idle connections, so a connection keeps no closure of its own: the
   * stream's listeners and the timers are functions shared by every connection, which find theirs
   * through `stream.userData` (secret-stream's pointer for its user) or their argument.
   */
  constructor(socket: Socket | Duplex, isInitiator: boolean, codec: FrameCodec<In, Out>, opts: ConnectionOptions) {
    super();
    this.#codec = codec;
    this.#isInitiator = isInitiator;
    this.#maxQueued = opts.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.#idleMs = opts.idleTimeoutMs ?? 60_000;
    const tcp = socket as Partial<Socket>;
    this.remoteHost = tcp.remoteAddress ?? '';
    this.remotePort = tcp.remotePort ?? 0;
    tcp.setNoDelay?.(true);
    guardFrameSizes(socket, MAX_FRAME_BYTES + 1024, (n) => this.close(WireError.FRAME_TOO_LARGE(n, MAX_FRAME_BYTES).code));
    this.stream = new SecretStream(isInitiator, socket, {
      pattern: 'IK',
      keyPair: opts.keyPair,
      ...(opts.remotePublicKey ? { remotePublicKey: opts.remotePublicKey } : {}),
      // Parley never sends secret-stream's unordered messages (send/trySend): no listener waits for them.
      enableSend: false,
    });
    this.stream.userData = this;
    if (!isInitiator && opts.admitRemote) gateResponder(this.stream, opts.admitRemote, () => (this.closeReason ??= 'REFUSED'));
    this.#handshakeTimer = setTimeout(Connection.#handshakeTimedOut, opts.handshakeTimeoutMs ?? 10_000, this);
    this.#handshakeTimer.unref();
    this.stream.once('open', Connection.#onStreamOpen);
    this.stream.on('data', Connection.#onStreamData);
    this.stream.on('error', Connection.#onStreamError);
    this.stream.on('close', Connection.#onStreamClose);
  }

  static #of(stream: SecretStream): Connection<unknown, unknown> {
    return stream.userData as Connection<unknown, unknown>;
  }

  static #onStreamOpen(this: SecretStream): void {
    const conn = Connection.#of(this);
    conn.#lastHeard = conn.#lastSpoke = Date.now();
    watchIdle(conn, sweepPeriod(conn.#idleMs));
    const speaks = conn.#codec.speaks;
    if (!speaks) return conn.#open();
    // The initiator says what it speaks; the responder answers with its own range, so when the
    // initiator opens, the responder already has (one round trip, once per connection).
    conn.#awaitingPreamble = true;
    if (conn.#isInitiator) this.write(encodePreamble(speaks));
  }

  static #onStreamData(this: SecretStream, bytes: Buffer): void {
    Connection.#of(this).#onData(bytes);
  }

  static #onStreamError(this: SecretStream, err: unknown): void {
    const conn = Connection.#of(this);
    conn.closeReason ??= conn.#opened ? streamErrorReason(err) : 'HANDSHAKE_FAILED';
  }

  static #onStreamClose(this: SecretStream): void {
    const conn = Connection.#of(this);
    conn.#clearHandshakeTimer();
    unwatchIdle(conn);
    conn.closeReason ??= conn.#opened ? 'CLOSED' : 'HANDSHAKE_FAILED';
    conn.emit('close', conn.closeReason);
  }

  static #handshakeTimedOut(conn: Connection<unknown, unknown>): void {
    conn.close('HANDSHAKE_TIMEOUT');
  }

  static #flushTurn(conn: Connection<unknown, unknown>): void {
    conn.#flushBatch();
  }

  /** Marks the connection open and tells listeners. */
  #open(): void {
    this.#clearHandshakeTimer();
    this.#opened = true;
    this.emit('open');
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
  }

  get opened(): boolean {
    return this.#opened;
  }

  get remotePublicKey(): Buffer | null {
    return this.stream.remotePublicKey;
  }

  /**
   * Lets go of the handshake hash and the other side's key, for a server that never asks again (a
   * relay: each is a Buffer of its own, about 400 bytes with its backing store, on every idle
   * connection). Only once the version preambles were exchanged: secret-stream checks the other
   * side's stream header against the hash, and that header comes before the preamble.
   */
  forgetHandshake(): void {
    if (this.version === null) return;
    this.stream.handshakeHash = null;
    this.stream.remotePublicKey = null;
  }

  /** Resolves when the handshake completes; rejects with a TransportError if it fails. */
  waitOpen(): Promise<void> {
    if (this.#opened) return Promise.resolve();
    if (this.closeReason) return Promise.reject(this.#openError(this.closeReason));
    return new Promise((resolve, reject) => {
      const onOpen = () => {
        this.off('close', onClose);
        resolve();
      };
      const onClose = (reason: string) => {
        this.off('open', onOpen);
        reject(this.#openError(reason));
      };
      this.once('open', onOpen);
      this.once('close', onClose);
    });
  }

  #openError(reason: string): TransportError {
    if (reason === 'HANDSHAKE_FAILED') return TransportError.HANDSHAKE_FAILED();
    if (reason === 'UNSUPPORTED_VERSION' && this.#codec.speaks) return TransportError.UNSUPPORTED_VERSION(this.#codec.speaks, this.theirSpeaks);
    return TransportError.CLOSED(reason);
  }

  /** Sends one frame; returns false (and closes) if the peer is too slow to keep up. */
  send(frame: In): boolean {
    if (this.closeReason) return false;
    if (this.queuedBytes > this.#maxQueued) {
      this.close('SLOW_READER');
      return false;
    }
    const bytes = this.#codec.encode(frame);
    this.#spoke = true;
    if (!this.#codec.batched) {
      this.stream.write(bytes);
      return true;
    }
    // Every frame sent in one event-loop turn leaves in one Noise message (one encryption, one
    // socket write), flushed by setImmediate; a batch that would outgrow a message goes at once.
    if (this.#batchBytes + BATCH_HEADER + bytes.length > MAX_BATCH_BYTES) this.#flushBatch();
    (this.#batch ??= []).push(bytes);
    this.#batchBytes += BATCH_HEADER + bytes.length;
    if (!this.#flushDue) {
      this.#flushDue = true;
      setImmediate(Connection.#flushTurn, this);
    }
    return true;
  }

  /**
   * Resolves once at most `bytes` wait to be sent, or the connection closed: how a bulk sender (a
   * file's chunks) keeps below what `send` tolerates before it closes a link as SLOW_READER.
   */
  async drained(bytes: number): Promise<void> {
    while (!this.closeReason && this.queuedBytes > bytes) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.stream.off('drain', done);
          this.off('close', done);
          resolve();
        };
        // The secret stream says when its buffer drained; the socket's own buffer is polled.
        const timer = setTimeout(done, 5);
        this.stream.once('drain', done);
        this.once('close', done);
      });
    }
  }

  /** Writes what was sent so far, then ends our side (the peer reads everything first). */
  end(): void {
    this.#ended = true;
    this.#flushBatch();
    this.stream.end();
  }

  #flushBatch(): void {
    this.#flushDue = false;
    const frames = this.#batch;
    if (!frames || frames.length === 0) return;
    const total = this.#batchBytes;
    this.#batch = null;
    this.#batchBytes = 0;
    if (this.stream.destroying) return;
    // alloc() hands out the plaintext slot of the message it will encrypt in place (no copy).
    const out = this.stream.alloc(total);
    let at = 0;
    for (const f of frames) {
      out.writeUIntBE(f.length, at, BATCH_HEADER);
      out.set(f, at + BATCH_HEADER);
      at += BATCH_HEADER + f.length;
    }
    this.stream.write(out);
  }

  /** Bytes sent but not yet handed to the kernel: this turn's batch, the secret-stream's (streamx) buffer and the socket's. */
  get queuedBytes(): number {
    const state = (this.stream as unknown as { _writableState?: { buffered?: number } })._writableState;
    const raw = this.stream.rawStream as unknown as { writableLength?: number } | null;
    return this.#batchBytes + (state?.buffered ?? 0) + (raw?.writableLength ?? 0);
  }

  close(reason = 'LOCAL_CLOSE'): void {
    this.closeReason ??= reason;
    this.stream.destroy();
  }

  /**
   * The idle sweep (idle.ts): closes a connection that heard nothing for its idle timeout, and sends
   * a keep-alive (an empty message) on one we left silent for a third of it.
   */
  idleSweep(now: number): void {
    if (this.#heard) {
      this.#heard = false;
      this.#lastHeard = now;
    } else if (now - this.#lastHeard >= this.#idleMs) return this.close('IDLE_TIMEOUT');
    if (this.#spoke) {
      this.#spoke = false;
      this.#lastSpoke = now;
    } else if (now - this.#lastSpoke >= Math.floor(this.#idleMs / 3) && !this.#ended && !this.closeReason) {
      this.#lastSpoke = now;
      this.stream.write(this.stream.alloc(0));
    }
  }

  #onPreamble(bytes: Buffer): void {
    this.#awaitingPreamble = false;
    const mine = this.#codec.speaks!;
    const theirs = decodePreamble(bytes);
    if (!theirs) {
      // A release from before versions sends a frame first; anything else is not Parley.
      this.close(looksLikeFrame(bytes) ? 'UNSUPPORTED_VERSION' : 'BAD_PREAMBLE');
      return;
    }
    this.theirSpeaks = theirs;
    const version = negotiate(mine, theirs);
    if (!this.#isInitiator) this.stream.write(encodePreamble(mine));
    if (version === null) {
      // The responder's answer goes out before the close, so both sides can say who is older.
      this.closeReason ??= 'UNSUPPORTED_VERSION';
      this.stream.end();
      return;
    }
    this.version = version;
    this.#open();
  }

  #onData(bytes: Buffer): void {
    this.#heard = true;
    if (bytes.length === 0) return; // keep-alive
    if (this.#awaitingPreamble) return this.#onPreamble(bytes);
    if (!this.#codec.batched) return this.#onFrameBytes(bytes);
    try {
      for (const frame of batchedFrames(bytes)) {
        this.#onFrameBytes(frame);
        if (this.closeReason) return;
      }
    } catch (err) {
      this.close(WireError.is(err) ? err.code : 'BAD_FRAME');
    }
  }

  #onFrameBytes(bytes: Buffer): void {
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

function looksLikeFrame(bytes: Buffer): boolean {
  try {
    return typeof (JSON.parse(bytes.toString('utf8')) as { v?: unknown }).v === 'number';
  } catch {
    return false;
  }
}

function streamErrorReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ETIMEDOUT' || (err instanceof Error && /timed out/i.test(err.message))) return 'IDLE_TIMEOUT';
  return typeof code === 'string' ? code : 'STREAM_ERROR';
}
