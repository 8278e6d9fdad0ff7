import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E } from '../../src/e2e/index.js';
import { Identity } from '../../src/identity/index.js';
import { openDb } from '../../src/store/index.js';

describe('each Signal operation is stored whole or not at all', () => {
  it('a first-contact message whose session could not be saved is accepted when it comes again (not taken for a replay)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-atomic-'));
    try {
      const mk = (name: string) => {
        const db = openDb(join(dir, `${name}.db`));
        const identity = Identity.generate();
        return { db, identity, e2e: new E2E({ db, identity }) };
      };
      const alice = mk('alice');
      const bob = mk('bob');
      // Bob starts from Bob's *published* bundle (last-resort Kyber key: its base keys are remembered).
      await alice.e2e.startSession(bob.identity.id, await bob.e2e.createBundle(true));
      const first = await alice.e2e.encrypt(bob.identity.id, Buffer.from('first contact'));
      expect(first.kind).toBe('prekey');

      // Bob's disk refuses the session write (full disk, I/O error): the decryption must leave no trace.
      bob.db.exec("CREATE TRIGGER no_sessions BEFORE INSERT ON signal_sessions BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
      await expect(bob.e2e.decrypt(alice.identity.id, 'prekey', first.body, alice.identity.binding)).rejects.toThrow();
      expect(bob.db.prepare('SELECT count(*) AS n FROM signal_kyber_base_keys_seen').get()).toEqual({ n: 0 });
      bob.db.exec('DROP TRIGGER no_sessions');

      // Alice resends the same bytes (she has no receipt): now it works.
      const again = await bob.e2e.decrypt(alice.identity.id, 'prekey', first.body, alice.identity.binding);
      expect(again.plaintext.toString()).toBe('first contact');
      // ... and a true replay is still refused.
      await expect(bob.e2e.decrypt(alice.identity.id, 'prekey', first.body, alice.identity.binding)).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
