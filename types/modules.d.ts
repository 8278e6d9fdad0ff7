// Minimal declarations for untyped dependencies: only what Parley uses.
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number;
    crypto_sign_SECRETKEYBYTES: number;
    crypto_sign_SEEDBYTES: number;
    crypto_sign_BYTES: number;
    crypto_sign_keypair(pk: Buffer, sk: Buffer): void;
    crypto_sign_seed_keypair(pk: Buffer, sk: Buffer, seed: Buffer): void;
    crypto_sign_detached(sig: Buffer, msg: Buffer, sk: Buffer): void;
    crypto_sign_verify_detached(sig: Buffer, msg: Buffer, pk: Buffer): boolean;
    crypto_generichash(out: Buffer, input: Buffer, key?: Buffer): void;
    crypto_secretbox_KEYBYTES: number;
    crypto_secretbox_NONCEBYTES: number;
    crypto_secretbox_MACBYTES: number;
    crypto_secretbox_easy(c: Buffer, m: Buffer, n: Buffer, k: Buffer): void;
    crypto_secretbox_open_easy(m: Buffer, c: Buffer, n: Buffer, k: Buffer): boolean;
    crypto_box_PUBLICKEYBYTES: number;
    crypto_box_SECRETKEYBYTES: number;
    crypto_box_SEALBYTES: number;
    crypto_box_seal(c: Buffer, m: Buffer, pk: Buffer): void;
    crypto_box_seal_open(m: Buffer, c: Buffer, pk: Buffer, sk: Buffer): boolean;
    crypto_sign_ed25519_pk_to_curve25519(curvePk: Buffer, edPk: Buffer): void;
    crypto_sign_ed25519_sk_to_curve25519(curveSk: Buffer, edSk: Buffer): void;
    randombytes_buf(buf: Buffer): void;
    crypto_kdf_derive_from_key(subkey: Buffer, subkeyId: number, ctx: Buffer, key: Buffer): void;
    sodium_malloc(n: number): Buffer;
    sodium_memzero(buf: Buffer): void;
    /** ISO/IEC 7816-4 padding of the first `unpaddedLength` bytes of `buf` to a multiple of `blockSize`; returns the padded length. */
    sodium_pad(buf: Buffer, unpaddedLength: number, blockSize: number): number;
    /** The length before padding; throws on invalid padding. */
    sodium_unpad(buf: Buffer, paddedLength: number, blockSize: number): number;
    crypto_pwhash_SALTBYTES: number;
    crypto_pwhash_OPSLIMIT_INTERACTIVE: number;
    crypto_pwhash_MEMLIMIT_INTERACTIVE: number;
    crypto_pwhash_ALG_ARGON2ID13: number;
    crypto_pwhash(out: Buffer, passwd: Buffer, salt: Buffer, opslimit: number, memlimit: number, alg: number): void;
    crypto_secretstream_xchacha20poly1305_STATEBYTES: number;
    crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
    crypto_secretstream_xchacha20poly1305_KEYBYTES: number;
    crypto_secretstream_xchacha20poly1305_ABYTES: number;
    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number;
    crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
    crypto_secretstream_xchacha20poly1305_init_push(state: Buffer, header: Buffer, key: Buffer): void;
    /** Returns the ciphertext length; `ad` may be null. */
    crypto_secretstream_xchacha20poly1305_push(state: Buffer, c: Buffer, m: Buffer, ad: Buffer | null, tag: number): number;
    crypto_secretstream_xchacha20poly1305_init_pull(state: Buffer, header: Buffer, key: Buffer): void;
    /** Returns the plaintext length and writes the tag into `tag` (1 byte); throws when the chunk does not authenticate. */
    crypto_secretstream_xchacha20poly1305_pull(state: Buffer, m: Buffer, tag: Buffer, c: Buffer, ad: Buffer | null): number;
  };
  export default sodium;
}

declare module 'z32' {
  export function encode(buf: Uint8Array): string;
  export function decode(s: string, out?: Buffer): Buffer;
  const z32: { encode: typeof encode; decode: typeof decode };
  export default z32;
}

declare module '@hyperswarm/secret-stream' {
  import { Duplex } from 'node:stream';
  interface KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
  }
  interface Options {
    pattern?: 'XX' | 'IK';
    remotePublicKey?: Buffer;
    keyPair?: KeyPair;
    /** Unordered messages over a UDP-capable raw stream (default true). */
    enableSend?: boolean;
  }
  class SecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: Duplex | null, opts?: Options);
    readonly rawStream: Duplex;
    publicKey: Buffer | null;
    remotePublicKey: Buffer | null;
    handshakeHash: Buffer | null;
    opened: Promise<boolean>;
    /** A pointer the stream's user may set (secret-stream never reads it). */
    userData: unknown;
    setTimeout(ms: number): void;
    setKeepAlive(ms: number): void;
    /** A plaintext buffer of `len` bytes that `write` encrypts in place (no copy). */
    alloc(len: number): Buffer;
    readonly destroying: boolean;
    static keyPair(seed?: Buffer): KeyPair;
  }
  export default SecretStream;
}

declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:dgram';
  /** `msg` arrives as a Uint8Array (bencode 4); remote input, so any argument may be missing or mistyped. */
  export type VerifyFn = (sig: unknown, msg: unknown, pk: unknown) => boolean;
  export interface DhtOptions {
    nodeId?: Buffer | string;
    /** `false` or a list; left undefined, k-rpc falls back to the public Mainline routers. */
    bootstrap?: string[] | false;
    host?: string | false;
    concurrency?: number;
    verify?: VerifyFn;
    timeBucketOutdated?: number;
    maxAge?: number;
    krpc?: unknown;
    /** Passed through to k-rpc-socket: ms before a query times out (default 2000). */
    timeout?: number;
  }
  export interface PutOptions {
    k: Buffer;
    v: Buffer | Record<string, unknown>;
    seq: number;
    salt?: Buffer;
    cas?: number;
    sign?: (buf: Uint8Array) => Buffer;
    sig?: Buffer;
  }
  export interface GetResult {
    v: Buffer | Record<string, unknown>;
    k?: Buffer;
    sig?: Buffer;
    seq?: number;
    salt?: Buffer;
    id?: Buffer;
  }
  export interface KrpcPeer {
    host?: string;
    address?: string;
    port: number;
    id?: Buffer;
  }
  /** k-rpc-socket: every outgoing datagram goes through `send`. */
  export interface KrpcSocket extends EventEmitter {
    socket: Socket;
    inflight: number;
    send(peer: KrpcPeer, message: { y?: unknown }, cb?: (err?: Error | null) => void): void;
  }
  export default class DHT extends EventEmitter {
    constructor(opts?: DhtOptions);
    listen(port?: number, address?: string, cb?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: { host: string; port: number; id?: Buffer }): void;
    put(opts: PutOptions, cb: (err: (Error & { code?: unknown }) | null, hash: Buffer, n: number) => void): Buffer;
    get(hash: Buffer, opts: { salt?: Buffer; cache?: boolean; verify?: VerifyFn }, cb: (err: Error | null, res: GetResult | null) => void): void;
    lookup(infoHash: Buffer | string, cb?: (err: Error | null, n: number) => void): () => void;
    announce(infoHash: Buffer | string, port: number, cb?: (err: Error | null) => void): void;
    toJSON(): { nodes: Array<{ host: string; port: number }>; values: unknown };
    destroy(cb?: () => void): void;
    removeNode(id: Buffer): void;
    nodes: { count(): number; toArray(): Array<{ host: string; port: number; id: Buffer }> };
    nodeId: Buffer;
    ready: boolean;
    listening: boolean;
    destroyed: boolean;
    /** The BEP44 store (an LRU keyed by the hex target). */
    _values: { set(key: string, value: unknown): void; get(key: string): unknown };
    /** Lookup tables (closest nodes and their write tokens) cached 5 minutes per target, reused by `put`. */
    _tables: { remove(key: string): unknown; get(key: string): unknown };
    _rpc: EventEmitter & {
      id: Buffer;
      query(node: KrpcPeer, message: { q: string; a?: Record<string, unknown> }, cb: (err: Error | null) => void): void;
      socket: KrpcSocket;
      bootstrap: Array<{ host: string; port: number }>;
    };
  }
}

declare module 'udx-native' {
  import { Duplex } from 'node:stream';
  import { EventEmitter } from 'node:events';
  interface Address {
    host: string;
    family: number;
    port: number;
  }
  class UDXSocket extends EventEmitter {
    readonly udx: UDX;
    bind(port?: number, host?: string): void;
    address(): Address;
    close(): Promise<void>;
    send(buffer: Buffer, port: number, host?: string, ttl?: number): Promise<boolean>;
    trySend(buffer: Buffer, port: number, host?: string, ttl?: number): void;
    on(event: 'message', fn: (msg: Buffer, from: Address) => void): this;
    on(event: string, fn: (...args: unknown[]) => void): this;
    off(event: string, fn: (...args: never[]) => void): this;
  }
  class UDXStream extends Duplex {
    readonly id: number;
    readonly remoteHost: string | null;
    readonly remotePort: number;
    readonly connected: boolean;
    connect(socket: UDXSocket, remoteId: number, port: number, host?: string): void;
  }
  class UDX {
    createSocket(opts?: { ipv6Only?: boolean }): UDXSocket;
    createStream(id: number, opts?: { firewall?: (socket: UDXSocket, port: number, host: string) => boolean }): UDXStream;
  }
  export type { UDXSocket, UDXStream, Address };
  export default UDX;
}

declare module 'bencode' {
  const bencode: { decode(data: Uint8Array): unknown; encode(value: unknown): Uint8Array };
  export default bencode;
}
