import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, saveIdentity, setPassphrase, unlockKeyFile } from '../../src/identity/index.js';
import { dbPath, getContact, insertMessage, openDb, openHome, searchMessages, StoreError, upsertContact } from '../../src/store/index.js';
import { ParleyError } from '../../src/wire/errors.js';

const SECRET = 'the marmalade is under the third floorboard';
const NAME = 'Zebulon Quartermaine';
const msg = (i: number, contactId: string, body: string) => ({
  id: `m${i}`,
  contactId,
  direction: 'in' as const,
  convSeq: i,
  body,
  sentAt: i,
  receivedAt: i,
  state: 'received' as const,
  route: null,
});

/** Every byte of every file in the home, so a test can say which file holds a needle. */
function filesHolding(home: string, needle: Buffer): string[] {
  return readdirSync(home, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(needle));
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof ParleyError ? e.code : String(e);
  }
};

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});
function homeWithHistory(passphrase?: string): { home: string; identity: Identity } {
  const home = mkdtempSync(join(tmpdir(), 'parley-atrest-'));
  homes.push(home);
  const identity = Identity.generate();
  saveIdentity(home, identity, passphrase ? { passphrase } : {});
  const { db } = openHome(home, passphrase);
  upsertContact(db, 'bob', 'added', 1, NAME);
  for (let i = 1; i <= 200; i++) insertMessage(db, msg(i, 'bob', i === 77 ? SECRET : `filler message number ${i}`));
  db.close();
  return { home, identity };
}

describe('the database at rest', () => {
  it('without a passphrase is in clear (what the UI and status warn about)', () => {
    const { home } = homeWithHistory();
    expect(filesHolding(home, Buffer.from(SECRET)).length).toBeGreaterThan(0);
    expect(openHome(home).encrypted).toBe(false);
  });

  it('with a passphrase from the start holds no message text, name or key in any file, and still searches', () => {
    const { home } = homeWithHistory('correct horse battery');
    const { db, encrypted } = openHome(home, 'correct horse battery');
    expect(encrypted).toBe(true);
    // Written while open too: the WAL is encrypted, not only the main file.
    insertMessage(db, msg(500, 'bob', 'a second secret: the owl flies at dawn'));
    for (const needle of [SECRET, NAME, 'owl flies at dawn', 'marmalade']) expect(filesHolding(home, Buffer.from(needle))).toEqual([]);
    expect(searchMessages(db, 'marmalade').map((h) => h.id)).toEqual(['m77']);
    expect(searchMessages(db, 'owl').map((h) => h.id)).toEqual(['m500']);
    db.close();
    const key = unlockKeyFile(home, 'correct horse battery').disk!.key.expose();
    for (const needle of [key, Buffer.from(key.toString('hex'))]) expect(filesHolding(home, needle)).toEqual([]);
  });

  it('migrates a clear database on the first unlock after a passphrase is set, keeping every row and the index', () => {
    const { home } = homeWithHistory();
    setPassphrase(home, undefined, 'correct horse battery');
    const { db, encrypted } = openHome(home, 'correct horse battery');
    expect(encrypted).toBe(true);
    expect(getContact(db, 'bob')?.name).toBe(NAME);
    expect((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(200);
    expect(searchMessages(db, 'marmalade floorboard').map((h) => h.id)).toEqual(['m77']);
    db.close();
    expect(filesHolding(home, Buffer.from(SECRET))).toEqual([]);
    expect(filesHolding(home, Buffer.from(NAME))).toEqual([]);
    expect(readdirSync(home).filter((f) => f.includes('rekey'))).toEqual([]);
    // The key file no longer names a previous key: the clear copy is gone.
    expect(unlockKeyFile(home, 'correct horse battery').disk!.previous).toBeNull();
  });

  it('a database that is encrypted refuses to open without its key, with a sentence', () => {
    const { home } = homeWithHistory('correct horse battery');
    const err = (() => {
      try {
        openDb(dbPath(home));
      } catch (e) {
        return e;
      }
    })();
    expect(StoreError.is(err) && err.code).toBe('DB_LOCKED');
    expect((err as Error).message).toMatch(/encrypted: unlock it with your passphrase/);
    expect(codeOf(() => openHome(home))).toBe('LOCKED');
  });

  it('a passphrase change re-encrypts with a new key: the old passphrase and the old key open nothing', () => {
    const { home } = homeWithHistory('correct horse battery');
    const oldKey = unlockKeyFile(home, 'correct horse battery').disk!.key;
    setPassphrase(home, 'correct horse battery', 'staple tuna envelope');
    expect(codeOf(() => openHome(home, 'correct horse battery'))).toBe('WRONG_PASSPHRASE');
    const { db } = openHome(home, 'staple tuna envelope');
    expect(searchMessages(db, 'marmalade').map((h) => h.id)).toEqual(['m77']);
    db.close();
    expect(codeOf(() => openDb(dbPath(home), { key: oldKey }))).toBe('DB_LOCKED');
  });

  it('an interrupted re-encryption (a half-written copy left behind) is redone on the next unlock', () => {
    const { home } = homeWithHistory();
    setPassphrase(home, undefined, 'correct horse battery');
    writeFileSync(dbPath(home) + '.rekey', 'half a copy');
    // A second change before any unlock: the database is still in clear, and stays readable.
    setPassphrase(home, 'correct horse battery', 'staple tuna envelope');
    const { db } = openHome(home, 'staple tuna envelope');
    expect((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(200);
    db.close();
    expect(filesHolding(home, Buffer.from(SECRET))).toEqual([]);
  });
});
