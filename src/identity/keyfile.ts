import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Identity } from './identity.js';
import { Ed25519KeyPair } from './keypair.js';
import { SecretKey } from './secret.js';
import { IdentityError } from './errors.js';

/** `<home>/identity.json`, mode 0600 in a 0700 home: the only file that holds long-term secret keys. */
const KEYFILE = 'identity.json';

const KeyFile = z.object({
  version: z.literal(1),
  identitySeed: z.string().regex(/^[0-9a-f]{64}$/),
  transportSeed: z.string().regex(/^[0-9a-f]{64}$/),
  signalIdentityKey: z.string().regex(/^[0-9a-f]+$/),
  registrationId: z.number().int().min(1).max(16380),
});

export function keyfilePath(home: string): string {
  return join(home, KEYFILE);
}

export function hasIdentity(home: string): boolean {
  return existsSync(keyfilePath(home));
}

export function saveIdentity(home: string, identity: Identity): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  const path = keyfilePath(home);
  if (existsSync(path)) throw IdentityError.EXISTS(home);
  const body = JSON.stringify({
    version: 1,
    identitySeed: identity.identityKey.seed.expose().toString('hex'),
    transportSeed: identity.transportKey.seed.expose().toString('hex'),
    signalIdentityKey: identity.signalIdentityPrivate.expose().toString('hex'),
    registrationId: identity.registrationId,
  });
  const tmp = path + '.tmp';
  writeFileSync(tmp, body, { mode: 0o600 });
  renameSync(tmp, path);
}

export function loadIdentity(home: string): Identity {
  const path = keyfilePath(home);
  if (!existsSync(path)) throw IdentityError.NO_IDENTITY(home);
  let parsed: z.infer<typeof KeyFile>;
  try {
    parsed = KeyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    throw IdentityError.BAD_KEYFILE('unreadable or wrong format');
  }
  return new Identity(
    Ed25519KeyPair.fromSeed(Buffer.from(parsed.identitySeed, 'hex')),
    Ed25519KeyPair.fromSeed(Buffer.from(parsed.transportSeed, 'hex')),
    new SecretKey(Buffer.from(parsed.signalIdentityKey, 'hex')),
    parsed.registrationId,
  );
}
