import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { Identity, REGISTRATION_ID_MAX } from './identity.js';
import type { ParleyId } from './id.js';
import { Ed25519KeyPair } from './keypair.js';
import { SecretKey } from './secret.js';
import sodium from 'sodium-native';
import { IdentityError } from './errors.js';
import { randomBytes } from './ed25519.js';
import { keyfilePath, readPublicId } from './public-id.js';

export { keyfilePath } from './public-id.js';

const KeyFile = z.object({
  version: z.literal(1),
  identitySeed: z.string().regex(/^[0-9a-f]{64}$/),
  transportSeed: z.string().regex(/^[0-9a-f]{64}$/),
  signalIdentityKey: z.string().regex(/^[0-9a-f]+$/),
  registrationId: z.number().int().min(1).max(REGISTRATION_ID_MAX),
  /** Sealed files only: the random key the database is encrypted with (see DiskKeys). */
  dbKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Sealed files only: the key (or 'clear') the database had before, until it is re-encrypted. */
  dbKeyPrevious: z.union([z.literal('clear'), z.string().regex(/^[0-9a-f]{64}$/)]).optional(),
});

/** A key file sealed with a passphrase: Argon2id (libsodium crypto_pwhash) then secretbox. */
const LockedFile = z.object({
  version: z.literal(2),
  /**
   * The public ID in clear, written by older versions only: it tied the laptop to the person, so
   * new files keep it inside the sealed part (commands ask the running Parley for it).
   */
  id: z.string().optional(),
  kdf: z.object({ alg: z.literal('argon2id13'), ops: z.number().int().positive(), mem: z.number().int().positive(), salt: z.string().regex(/^[0-9a-f]+$/) }),
  nonce: z.string().regex(/^[0-9a-f]+$/),
  box: z.string().regex(/^[0-9a-f]+$/),
});

export function hasIdentity(home: string): boolean {
  return existsSync(keyfilePath(home));
}

/** The ID of the identity in this home, also when it is locked by a passphrase (if its file says). */
export function readId(home: string): ParleyId {
  return readPublicId(home) ?? loadIdentity(home).id; // a sealed file without its ID: LOCKED
}

/** True if the identity in this home needs a passphrase to load. */
export function isLocked(home: string): boolean {
  try {
    return (JSON.parse(readFileSync(keyfilePath(home), 'utf8')) as { version?: unknown }).version === 2;
  } catch {
    return false;
  }
}

export function saveIdentity(home: string, identity: Identity, opts: { passphrase?: string } = {}): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  if (existsSync(keyfilePath(home))) throw IdentityError.EXISTS(home);
  writeKeyFile(home, identity, opts.passphrase === undefined ? null : { passphrase: opts.passphrase, disk: { key: newDiskKey(), previous: null } });
}

/**
 * The keys of the database at rest. A home with a passphrase has a random 256-bit database key,
 * sealed in `identity.json` with the passphrase (Argon2id, then secretbox); a new key comes with
 * every passphrase set or change, and `previous` names what the database is still encrypted with
 * ('clear' for a database that has never been encrypted) until the store has re-encrypted it.
 */
export interface DiskKeys {
  key: SecretKey;
  previous: SecretKey | 'clear' | null;
}

export interface UnlockedHome {
  identity: Identity;
  /** Null when the home has no passphrase: then nothing on disk is encrypted. */
  disk: DiskKeys | null;
}

/** Reads the identity and its database keys; a sealed file from before encryption at rest gets a key now. */
export function unlockKeyFile(home: string, passphrase?: string): UnlockedHome {
  const { identity, parsed } = readKeyFile(home, passphrase);
  if (passphrase === undefined || !isLocked(home)) return { identity, disk: null };
  if (parsed.dbKey) {
    const prev = parsed.dbKeyPrevious;
    const previous = prev === undefined ? null : prev === 'clear' ? 'clear' : new SecretKey(Buffer.from(prev, 'hex'));
    return { identity, disk: { key: new SecretKey(Buffer.from(parsed.dbKey, 'hex')), previous } };
  }
  const disk: DiskKeys = { key: newDiskKey(), previous: 'clear' };
  writeKeyFile(home, identity, { passphrase, disk });
  return { identity, disk };
}

/** Records that the database is now encrypted with `disk.key` alone (the previous key is dropped). */
export function settleDiskKey(home: string, identity: Identity, passphrase: string, disk: DiskKeys): void {
  writeKeyFile(home, identity, { passphrase, disk: { key: disk.key, previous: null } });
}

/**
 * Sets a passphrase on a home that had none, or changes it (`current` unlocks the home as it is).
 * The database gets a new key, which the store applies at the next open (one atomic rename each,
 * so a crash at any point leaves a home that the new passphrase opens).
 */
export function setPassphrase(home: string, current: string | undefined, next: string): UnlockedHome {
  if (isLocked(home) && current === undefined) throw IdentityError.LOCKED();
  const { identity, disk } = unlockKeyFile(home, isLocked(home) ? current : undefined);
  // Still encrypted with the older key if a change was interrupted: keep that one as "previous".
  const previous = disk === null ? 'clear' : (disk.previous ?? disk.key);
  const out: DiskKeys = { key: newDiskKey(), previous };
  writeKeyFile(home, identity, { passphrase: next, disk: out });
  return { identity, disk: out };
}

function newDiskKey(): SecretKey {
  const key = sodium.sodium_malloc(32);
  sodium.randombytes_buf(key);
  return new SecretKey(key);
}

function writeKeyFile(home: string, identity: Identity, sealed: { passphrase: string; disk: DiskKeys } | null): void {
  const path = keyfilePath(home);
  const prev = sealed?.disk.previous;
  let body = JSON.stringify({
    version: 1,
    identitySeed: identity.identityKey.seed.expose().toString('hex'),
    transportSeed: identity.transportKey.seed.expose().toString('hex'),
    signalIdentityKey: identity.signalIdentityPrivate.expose().toString('hex'),
    registrationId: identity.registrationId,
    ...(sealed ? { dbKey: sealed.disk.key.expose().toString('hex') } : {}),
    ...(prev ? { dbKeyPrevious: prev === 'clear' ? 'clear' : prev.expose().toString('hex') } : {}),
  });
  if (sealed) body = JSON.stringify(sealWithPassphrase(Buffer.from(body), sealed.passphrase));
  const tmp = path + '.tmp';
  writeFileSync(tmp, body, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd); // the new key must be on disk before the database is re-encrypted with it
  closeSync(fd);
  renameSync(tmp, path);
}

export function loadIdentity(home: string, passphrase?: string): Identity {
  return readKeyFile(home, passphrase).identity;
}

function readKeyFile(home: string, passphrase?: string): { identity: Identity; parsed: z.infer<typeof KeyFile> } {
  const path = keyfilePath(home);
  if (!existsSync(path)) throw IdentityError.NO_IDENTITY(home);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw IdentityError.BAD_KEYFILE('unreadable or wrong format');
  }
  const locked = LockedFile.safeParse(raw);
  if (locked.success) {
    if (passphrase === undefined) throw IdentityError.LOCKED();
    raw = JSON.parse(openWithPassphrase(locked.data, passphrase).toString('utf8'));
  }
  let parsed: z.infer<typeof KeyFile>;
  try {
    parsed = KeyFile.parse(raw);
  } catch {
    throw IdentityError.BAD_KEYFILE('unreadable or wrong format');
  }
  const identity = new Identity(
    Ed25519KeyPair.fromSeed(Buffer.from(parsed.identitySeed, 'hex')),
    Ed25519KeyPair.fromSeed(Buffer.from(parsed.transportSeed, 'hex')),
    new SecretKey(Buffer.from(parsed.signalIdentityKey, 'hex')),
    parsed.registrationId,
  );
  return { identity, parsed };
}

function passphraseKey(passphrase: string, salt: Buffer, ops: number, mem: number): Buffer {
  const key = sodium.sodium_malloc(sodium.crypto_secretbox_KEYBYTES);
  sodium.crypto_pwhash(key, Buffer.from(passphrase.normalize('NFKC')), salt, ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
  return key;
}

function sealWithPassphrase(body: Buffer, passphrase: string): z.infer<typeof LockedFile> {
  const salt = randomBytes(sodium.crypto_pwhash_SALTBYTES);
  const nonce = randomBytes(sodium.crypto_secretbox_NONCEBYTES);
  const ops = sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const mem = sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE;
  const key = passphraseKey(passphrase, salt, ops, mem);
  const box = Buffer.alloc(body.length + sodium.crypto_secretbox_MACBYTES);
  sodium.crypto_secretbox_easy(box, body, nonce, key);
  sodium.sodium_memzero(key);
  return { version: 2, kdf: { alg: 'argon2id13', ops, mem, salt: salt.toString('hex') }, nonce: nonce.toString('hex'), box: box.toString('hex') };
}

function openWithPassphrase(file: z.infer<typeof LockedFile>, passphrase: string): Buffer {
  const box = Buffer.from(file.box, 'hex');
  if (box.length < sodium.crypto_secretbox_MACBYTES) throw IdentityError.BAD_KEYFILE('sealed part too short');
  // Refuse absurd KDF settings (a tampered file could otherwise ask for gigabytes).
  if (file.kdf.mem > 1 << 30 || file.kdf.ops > 20) throw IdentityError.BAD_KEYFILE('unreasonable passphrase settings');
  const key = passphraseKey(passphrase, Buffer.from(file.kdf.salt, 'hex'), file.kdf.ops, file.kdf.mem);
  const out = Buffer.alloc(box.length - sodium.crypto_secretbox_MACBYTES);
  const ok = sodium.crypto_secretbox_open_easy(out, box, Buffer.from(file.nonce, 'hex'), key);
  sodium.sodium_memzero(key);
  if (!ok) throw IdentityError.WRONG_PASSPHRASE();
  return out;
}
