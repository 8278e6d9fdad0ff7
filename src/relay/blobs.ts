import { RelayError } from './errors.js';
import type { RelayLimits } from './limits.js';
import type { Clock } from './quota.js';
import type { Charge, SourceShares } from './shares.js';

interface Blob {
  bytes: Buffer;
  expiresAt: number;
  charge: Charge;
  /** The source that created it (its slot counts against that source until it goes). */
  creator: string;
}

export interface BlobDeps {
  limits: RelayLimits;
  shares: SourceShares;
  now: Clock;
  drop: (reason: string, n: number) => void;
}

/**
 * Small world-readable records keyed by id (= hash of the writer's secret, so only the secret
 * holder can write or overwrite one). Rewriting refreshes the TTL.
 */
export class BlobStore {
  readonly #blobs = new Map<string, Blob>();
  #bytes = 0;
  constructor(private readonly deps: BlobDeps) {}

  /** Writes (or rewrites) a blob, charged to the writer's `source`. */
  put(id: string, bytes: Buffer, source: string): void {
    const { limits, shares, now } = this.deps;
    if (bytes.length > limits.blobBytes) throw RelayError.TOO_LARGE(bytes.length, limits.blobBytes);
    const old = this.#blobs.get(id);
    if (!old && this.#blobs.size >= limits.maxBlobs) this.sweep();
    if (!old && this.#blobs.size >= limits.maxBlobs) throw RelayError.RELAY_FULL();
    const expiresAt = now() + limits.blobTtlMs;
    const creator = old?.creator ?? source;
    if (!old) shares.add(source, 'blobs');
    let blob: Blob | null = null;
    let charge: Charge;
    try {
      charge = shares.reserve(
        source,
        bytes.length,
        () => {
          if (!blob || this.#blobs.get(id) !== blob) return;
          this.#remove(id, blob);
          this.deps.drop('EVICTED', 1);
        },
        old?.charge,
      );
    } catch (err) {
      if (!old) shares.remove(source, 'blobs');
      throw err;
    }
    if (old) this.#drop(id, old);
    blob = { bytes, expiresAt, charge, creator };
    this.#blobs.set(id, blob);
    this.#bytes += bytes.length;
  }

  get(id: string): Buffer {
    const blob = this.#blobs.get(id);
    if (blob && blob.expiresAt <= this.deps.now()) {
      this.#remove(id, blob);
      this.deps.drop('BLOB_EXPIRED', 1);
      throw RelayError.NOT_FOUND();
    }
    if (!blob) throw RelayError.NOT_FOUND();
    return blob.bytes;
  }

  sweep(): void {
    const t = this.deps.now();
    for (const [id, blob] of this.#blobs) {
      if (blob.expiresAt > t) continue;
      this.#remove(id, blob);
      this.deps.drop('BLOB_EXPIRED', 1);
    }
  }

  /** Every stored blob with its id (tests). */
  *dump(): Iterable<{ id: string; bytes: Buffer }> {
    for (const [id, blob] of this.#blobs) yield { id, bytes: blob.bytes };
  }

  stats(): { blobs: number; blobBytes: number } {
    return { blobs: this.#blobs.size, blobBytes: this.#bytes };
  }

  clear(): void {
    for (const [id, blob] of this.#blobs) this.#remove(id, blob);
  }

  #remove(id: string, blob: Blob): void {
    this.#drop(id, blob);
    this.deps.shares.remove(blob.creator, 'blobs');
  }

  /** Forgets a blob's bytes (its slot stays counted: a rewrite keeps it). */
  #drop(id: string, blob: Blob): void {
    this.#blobs.delete(id);
    this.#bytes -= blob.bytes.length;
    this.deps.shares.release(blob.charge);
  }
}
