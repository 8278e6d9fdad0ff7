import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { Ed25519KeyPair, namespacedHash, randomBytes, SecretKey } from '../identity/index.js';
import { deriveOprfKeyPair } from '../signup/index.js';

/**
 * The attestor's two keys, both derived from one 32-byte seed: an Ed25519 key that signs
 * attestations (the BEP44 key they are stored under) and a ristretto255 OPRF key for lookup keys.
 * Rotating the OPRF key would change every lookup key, so both live as long as the attestor.
 */
export class AttestorKeys {
  readonly signing: Ed25519KeyPair;
  readonly oprfPublic: Buffer;
  readonly #oprfSecret: SecretKey;

  constructor(seed: Buffer) {
    if (seed.length !== 32) throw new TypeError('an attestor seed is 32 bytes');
    this.signing = Ed25519KeyPair.fromSeed(namespacedHash('parley/attestor/sign/1', seed));
    const oprf = deriveOprfKeyPair(namespacedHash('parley/attestor/oprf/1', seed));
    this.oprfPublic = Buffer.from(oprf.publicKey);
    this.#oprfSecret = new SecretKey(Buffer.from(oprf.secretKey));
  }

  static generate(): AttestorKeys {
    return new AttestorKeys(randomBytes(32));
  }

  /** Reads the seed from `path` (64 hex characters), creating the file (mode 0600) if it does not exist. */
  static fromFile(path: string): AttestorKeys {
    if (!existsSync(path)) {
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
      renameSync(tmp, path);
    }
    const text = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error('the attestor key file must hold 64 hex characters');
    return new AttestorKeys(Buffer.from(text, 'hex'));
  }

  oprfSecret(): Uint8Array {
    return this.#oprfSecret.expose();
  }

  toJSON(): string {
    return 'AttestorKeys(..)';
  }
  [inspect.custom](): string {
    return 'AttestorKeys(..)';
  }
}
