import { pairSecret } from '../dht/index.js';
import { parseId, randomBytes, type ParleyId, type SecretKey } from '../identity/index.js';
import { getKv, setKv, type Db } from '../store/index.js';
import type { Content } from '../wire/content.js';
import { KV } from './kv-keys.js';

/**
 * The two halves of a pair's rendezvous secret, kept in the (encrypted at rest) store: mine, random,
 * made the first time it is needed; theirs, as they sent it inside our Signal session; and whether
 * mine has left for them. The secret exists once both halves are here.
 *
 * Why exchanged in Signal rather than computed (X25519 of the two identity keys' Curve forms): it is
 * random, so it does not follow from long-term keys (someone who later obtains an identity key
 * cannot recompute every contact's rendezvous keys and link their past records), it needs no second
 * use of the Ed25519 identity key for key agreement, it exists only once both people have written
 * to each other (a stranger who knows an ID can derive nothing), and it is end-to-end authenticated
 * by the session the safety number covers.
 */
interface Halves {
  mine: string;
  theirs?: string;
  sent?: boolean;
}

function read(db: Db, id: string): Halves | null {
  const raw = getKv(db, KV.rendezvous(id));
  return raw ? (JSON.parse(raw) as Halves) : null;
}

function write(db: Db, id: string, h: Halves): void {
  setKv(db, KV.rendezvous(id), JSON.stringify(h));
}

function mine(db: Db, id: string): Halves {
  const h = read(db, id);
  if (h) return h;
  const made = { mine: randomBytes(32).toString('base64') };
  write(db, id, made);
  return made;
}

/** The pair's rendezvous secret, or null until both halves are known. */
export function rendezvousSecret(db: Db, self: ParleyId, id: string): SecretKey | null {
  const h = read(db, id);
  if (!h?.theirs) return null;
  return pairSecret({ id: self, contribution: Buffer.from(h.mine, 'base64') }, { id: parseId(id), contribution: Buffer.from(h.theirs, 'base64') });
}

/**
 * The `rendezvous` content this contact should get (with a commit once it left): while mine has not
 * left yet, or while theirs has not arrived (it asks them, `have: false`, to send theirs again).
 */
export function rendezvousUpdate(db: Db, id: string): { content: Content; commit: () => void } | null {
  const h = mine(db, id);
  if (h.sent && h.theirs) return null;
  const content: Content = { v: 1, t: 'rendezvous', mine: h.mine, have: !!h.theirs };
  return { content, commit: () => write(db, id, { ...(read(db, id) ?? h), sent: true }) };
}

/**
 * Stores their half. Returns whether they need mine (again): they said they do not hold it, or it
 * has not left yet. A changed half (they reinstalled) replaces the old one.
 */
export function acceptTheirHalf(db: Db, id: string, theirs: string, theyHaveMine: boolean): boolean {
  const h = mine(db, id);
  const sent = !!h.sent && theyHaveMine;
  write(db, id, { ...h, theirs, sent });
  return !sent;
}
