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
    randombytes_buf(buf: Buffer): void;
    sodium_malloc(n: number): Buffer;
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
  interface KeyPair { publicKey: Buffer; secretKey: Buffer }
  interface Options {
    pattern?: 'XX' | 'IK';
    remotePublicKey?: Buffer;
    keyPair?: KeyPair;
  }
  class SecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: Duplex | null, opts?: Options);
    readonly rawStream: Duplex;
    publicKey: Buffer | null;
    remotePublicKey: Buffer | null;
    handshakeHash: Buffer | null;
    opened: Promise<boolean>;
    setTimeout(ms: number): void;
    setKeepAlive(ms: number): void;
    static keyPair(seed?: Buffer): KeyPair;
  }
  export default SecretStream;
}

declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  export interface DhtOptions {
    nodeId?: Buffer | string;
    bootstrap?: string[] | false;
    host?: string | false;
    concurrency?: number;
    verify?: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean;
    timeBucketOutdated?: number;
    maxAge?: number;
    krpc?: unknown;
  }
  export interface PutOptions {
    k: Buffer;
    v: Buffer | Record<string, unknown>;
    seq: number;
    salt?: Buffer;
    cas?: number;
    sign?: (buf: Buffer) => Buffer;
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
  export default class DHT extends EventEmitter {
    constructor(opts?: DhtOptions);
    listen(port?: number, address?: string, cb?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: { host: string; port: number; id?: Buffer }): void;
    put(opts: PutOptions, cb: (err: Error | null, hash: Buffer, n: number) => void): Buffer;
    get(hash: Buffer, opts: { salt?: Buffer; cache?: boolean; verify?: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean }, cb: (err: Error | null, res: GetResult | null) => void): void;
    lookup(infoHash: Buffer | string, cb?: (err: Error | null, n: number) => void): () => void;
    announce(infoHash: Buffer | string, port: number, cb?: (err: Error | null) => void): void;
    toJSON(): { nodes: Array<{ host: string; port: number }>; values: unknown };
    destroy(cb?: () => void): void;
    nodes: { count(): number; toArray(): Array<{ host: string; port: number; id: Buffer }> };
    ready: boolean;
    listening: boolean;
    _rpc: EventEmitter & { id: Buffer; query: (...args: unknown[]) => unknown; queries?: number };
  }
}
