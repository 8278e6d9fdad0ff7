import { generateKeyPair, openSealed, sign } from './ed25519.js';
import { SecretKey } from './secret.js';

/** An Ed25519 key pair whose secret half never prints. */
export class Ed25519KeyPair {
  readonly publicKey: Buffer;
  readonly secretKey: SecretKey;
  readonly seed: SecretKey;
  private constructor(publicKey: Buffer, secretKey: Buffer, seed: Buffer) {
    this.publicKey = publicKey;
    this.secretKey = new SecretKey(secretKey);
    this.seed = new SecretKey(seed);
  }
  static fromSeed(seed: Buffer): Ed25519KeyPair {
    const { publicKey, secretKey } = generateKeyPair(seed);
    return new Ed25519KeyPair(publicKey, secretKey, seed);
  }
  sign(message: Uint8Array): Buffer {
    return sign(message, this.secretKey.expose());
  }
  /** Opens a box sealed to this identity (see `sealTo`); null if it was not for us. */
  openSealed(sealed: Uint8Array): Buffer | null {
    return openSealed({ publicKey: this.publicKey, secretKey: this.secretKey.expose() }, sealed);
  }
  /** The `{publicKey, secretKey}` shape that Noise (secret-stream) expects. */
  forNoise(): { publicKey: Buffer; secretKey: Buffer } {
    return { publicKey: this.publicKey, secretKey: this.secretKey.expose() };
  }
}
