import { inspect } from 'node:util';

/** Wraps secret bytes so they never print: logs, JSON and inspect all show `SecretKey(..)`. */
export class SecretKey {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  expose(): Buffer {
    return this.#bytes;
  }
  toJSON(): string {
    return 'SecretKey(..)';
  }
  toString(): string {
    return 'SecretKey(..)';
  }
  [inspect.custom](): string {
    return 'SecretKey(..)';
  }
}
