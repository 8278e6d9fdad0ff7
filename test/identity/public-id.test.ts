import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, IdentityError, keyfilePath, readId, saveIdentity } from '../../src/identity/index.js';
import { readPublicId } from '../../src/identity/public-id.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return IdentityError.is(e) ? e.code : String(e);
  }
  return 'no error';
};

/*
 * `parley id` reads the ID without libsignal (identity/public-id.ts): Node's crypto derives the
 * Ed25519 public key from the seed. It must be the very ID the full identity has.
 */
describe('the ID read without loading the keys', () => {
  it('is the identity’s own ID, for every identity; a sealed home without it says so', () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-pubid-'));
    try {
      for (let i = 0; i < 20; i++) {
        const home = join(root, `h${i}`);
        const identity = Identity.generate();
        saveIdentity(home, identity);
        expect(readPublicId(home)).toBe(identity.id);
        expect(readId(home)).toBe(identity.id);
      }
      const sealed = join(root, 'sealed');
      saveIdentity(sealed, Identity.generate(), { passphrase: 'correct horse battery' });
      expect(readPublicId(sealed)).toBeNull();
      expect(code(() => readId(sealed))).toBe('LOCKED');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says which is wrong with a missing or damaged file, never a stack', () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-pubid-'));
    try {
      expect(code(() => readPublicId(home))).toBe('NO_IDENTITY');
      for (const body of ['not json', '{"version":1,"identitySeed":"abc"}', '{"version":7}', 'null']) {
        writeFileSync(keyfilePath(home), body);
        expect(code(() => readPublicId(home))).toBe('BAD_KEYFILE');
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
