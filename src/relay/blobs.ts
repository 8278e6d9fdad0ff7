import { RelayError } from './errors.js';
import type { RelayLimits } from './limits.js';
import type { Clock, StorageBudget } from './quota.js';

interface Blob {
  bytes: Buffer;
  expiresAt: number;
}

export interface BlobDeps {
  limits: RelayLimits;
  budget: StorageBudget;
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

  put(id: string, bytes: Buffer): void {
    const { limits, budget, now } = this.deps;
    if (bytes.length > limits.blobBytes) throw RelayError.TOO_LARGE(bytes.length, limits.blobBytes);
    const old = this.#blobs.get(id);
    if (!old && this.#blobs.size >= limits.maxBlobs) this.sweep();
    if (!old && this.#blobs.size >= limits.maxBlobs) throw RelayError.RELAY_FULL();
    budget.reserve(bytes.length);
    if (old) this.#remove(id, old);
    this.#blobs.set(id, { bytes, expiresAt: now() + limits.blobTtlMs });
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
    this.#blobs.delete(id);
    this.#bytes -= blob.bytes.length;
    this.deps.budget.release(blob.bytes.length);
  }
}
