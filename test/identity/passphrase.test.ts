import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, IdentityError, isLocked, keyfilePath, loadIdentity, saveIdentity } from '../../src/identity/index.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return IdentityError.is(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('an identity protected by a passphrase', () => {
  it('is sealed on disk, opens only with the passphrase, and says clearly when locked or wrong', () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-pass-'));
    try {
      const identity = Identity.generate();
      saveIdentity(home, identity, { passphrase: 'correct horse battery' });
      const file = readFileSync(keyfilePath(home), 'utf8');
      expect(file).not.toContain(identity.identityKey.seed.expose().toString('hex'));
      expect(file).not.toContain(identity.signalIdentityPrivate.expose().toString('hex'));
      expect(statSync(keyfilePath(home)).mode & 0o777).toBe(0o600);
      expect(isLocked(home)).toBe(true);
      expect(code(() => loadIdentity(home))).toBe('LOCKED');
      expect(code(() => loadIdentity(home, 'wrong horse'))).toBe('WRONG_PASSPHRASE');
      expect(loadIdentity(home, 'correct horse battery').id).toBe(identity.id);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('without a passphrase the file is plain and not locked', () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-pass-'));
    try {
      const identity = Identity.generate();
      saveIdentity(home, identity);
      expect(isLocked(home)).toBe(false);
      expect(loadIdentity(home).id).toBe(identity.id);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
