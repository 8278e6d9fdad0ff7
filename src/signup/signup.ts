import type { DhtNode } from '../dht/index.js';
import { hasValidSignature } from '../dht/index.js';
import type { Identity, ParleyId } from '../identity/index.js';
import type { Db } from '../store/index.js';
import { AttestorClient } from './attestor-client.js';
import { verifyAttestation } from './attestation.js';
import { decodeAttestationValue } from './attestation-codec.js';
import { parseContactsAsync, type ContactsFormat } from './contacts.js';
import { SignupError } from './errors.js';
import { findAttestations, lookupKeys } from './finder.js';
import { normalise, normaliseAny, type Identifier, type IdentifierKind } from './identifier.js';
import { putSigned } from './keeper.js';
import { MAX_BATCH } from './oprf.js';
import { bindMessage, unlinkMessage } from './proofs.js';
import { forgetAttestor, getPending, pinAttestor, pinnedAttestors, saveAttestation, savedAttestations, setPending, type PinnedAttestor } from './saved.js';

export interface SignupComponents {
  db: Db;
  identity: Pick<Identity, 'id' | 'identityKey'>;
  dht: Pick<DhtNode, 'putMutable' | 'getMutable'>;
  now?: () => number;
  fetch?: typeof fetch;
  /** The running node's keeper, told to publish when an attestation changes. */
  keeper?: { refresh(): Promise<void> };
}

export interface AttestationStatus {
  kind: IdentifierKind;
  attestor: string;
  state: 'active' | 'withdrawn';
  expiresAt: number;
}

/** Someone found on Parley: the identifier as normalised, the contact's card name if any, their ID. */
export interface Match {
  identifier: string;
  kind: IdentifierKind;
  name?: string;
  id: ParleyId;
}

export interface ImportResult {
  cards: number;
  /** Distinct valid addresses and numbers looked up. */
  checked: number;
  /** Entries that are not valid addresses or numbers (not looked up). */
  invalid: number;
  matches: Match[];
  /** Lookups whose record was there but rejected (forged, expired, …), by reason code. */
  rejected: Record<string, number>;
}

/**
 * Sign-up with an email address or phone number, contact discovery and unlinking, for one person
 * (the daemon and the CLI call these). The attestor sees the identifier only during sign-up; every
 * lookup goes to it blinded; the DHT only ever holds hashes of OPRF outputs.
 */
export class Signup {
  readonly #c: SignupComponents;
  readonly #now: () => number;

  constructor(c: SignupComponents) {
    this.#c = c;
    this.#now = c.now ?? Date.now;
  }

  /** Asks `attestor` to send a one-time code to the address or number (pins the attestor's keys on first use). */
  async startSignup(input: {
    attestor: string;
    kind: IdentifierKind;
    identifier: string;
    region?: string;
  }): Promise<{ kind: IdentifierKind; expiresAt: number }> {
    const id = normalise(input.kind, input.identifier, input.region);
    const { client } = await this.#trust(input.attestor);
    const r = await client.start(id.kind, id.value, this.#c.identity.identityKey.publicKey);
    setPending(this.#c.db, { attestor: client.url, pending: r.pending, kind: id.kind, expiresAt: r.expiresAt });
    return { kind: id.kind, expiresAt: r.expiresAt };
  }

  /** Sends the code; on success saves and publishes the attestation. */
  async verifyCode(code: string): Promise<AttestationStatus & { storedOn: number }> {
    const p = getPending(this.#c.db);
    if (!p) throw SignupError.NO_PENDING();
    const { client, pinned } = await this.#trust(p.attestor);
    const c = code.replace(/[\s-]/g, '');
    const record = await client.verify(p.pending, c, this.#c.identity.identityKey.sign(bindMessage(pinned.signingKey, p.pending)));
    const v = verifyAttestation(record, { trusted: [pinned.signingKey], nowSeconds: this.#seconds() });
    if (v.id !== this.#c.identity.id || v.kind !== p.kind) throw SignupError.BAD_ATTESTATION('it names someone else');
    setPending(this.#c.db, null);
    saveAttestation(this.#c.db, { attestor: client.url, kind: v.kind, state: 'active', expiresAt: v.expiresAt, record }, this.#seconds());
    // Saved first: if no DHT node takes it now, the keeper (`parley run`) publishes it later.
    const storedOn = await putSigned(this.#c.dht, record).catch(() => 0);
    await this.#c.keeper?.refresh();
    return { kind: v.kind, attestor: client.url, state: 'active', expiresAt: v.expiresAt, storedOn };
  }

  /** The attestors this person trusts (keys pinned at first use). */
  attestors(): Array<{ url: string; signingKey: string; oprfKey: string }> {
    return pinnedAttestors(this.#c.db).map((a) => ({ url: a.url, signingKey: a.signingKey.toString('base64'), oprfKey: a.oprfKey.toString('base64') }));
  }

  /** Stops trusting an attestor; true if it was trusted. */
  forgetAttestor(url: string): boolean {
    return forgetAttestor(this.#c.db, url);
  }

  status(): AttestationStatus[] {
    const now = this.#seconds();
    return savedAttestations(this.#c.db)
      .filter((s) => s.expiresAt > now)
      .map((s) => ({ kind: s.kind, attestor: s.attestor, state: s.state, expiresAt: s.expiresAt }));
  }

  /** Finds who is on Parley under one address or number; null when nobody is. */
  async lookup(input: string, opts: { region?: string; attestor?: string } = {}): Promise<Match | null> {
    const id = normaliseAny(input, opts.region);
    const [found] = await this.#find([id], opts.attestor);
    if (found?.rejected) throw found.rejected;
    return found?.id ? { identifier: id.value, kind: id.kind, id: found.id } : null;
  }

  /** Looks up every address and number of an address book (vCard or CSV) and lists who is on Parley. */
  async importContacts(
    text: string,
    opts: { format?: ContactsFormat; region?: string; attestor?: string; onProgress?: (checked: number, total: number) => void } = {},
  ): Promise<ImportResult> {
    const cards = await parseContactsAsync(text, opts.format);
    const byValue = new Map<string, { id: Identifier; name?: string }>();
    let invalid = 0;
    for (const [n, card] of cards.entries()) {
      if (n % 200 === 199) await new Promise<void>((resolve) => setImmediate(resolve)); // the daemon keeps answering
      const entries = [...card.emails.map((e) => ['email', e] as const), ...card.phones.map((p) => ['phone', p] as const)];
      for (const [kind, raw] of entries) {
        try {
          const id = normalise(kind, raw, opts.region);
          if (!byValue.has(id.value)) byValue.set(id.value, { id, ...(card.name ? { name: card.name } : {}) });
        } catch {
          invalid++;
        }
      }
    }
    const list = [...byValue.values()];
    const found = await this.#find(
      list.map((e) => e.id),
      opts.attestor,
      opts.onProgress,
    );
    const matches: Match[] = [];
    const rejected: Record<string, number> = {};
    found.forEach((f, i) => {
      const e = list[i]!;
      if (f.id && f.id !== this.#c.identity.id) matches.push({ identifier: e.id.value, kind: e.id.kind, ...(e.name ? { name: e.name } : {}), id: f.id });
      if (f.rejected) rejected[f.rejected.code] = (rejected[f.rejected.code] ?? 0) + 1;
    });
    return { cards: cards.length, checked: list.length, invalid, matches, rejected };
  }

  /** Withdraws attestations (all, or of one kind): tombstones signed by the attestor replace them in the DHT. */
  async unlink(opts: { kind?: IdentifierKind } = {}): Promise<AttestationStatus[]> {
    const now = this.#seconds();
    const active = savedAttestations(this.#c.db).filter((s) => s.state === 'active' && s.expiresAt > now && (!opts.kind || s.kind === opts.kind));
    if (active.length === 0) throw SignupError.NOTHING_TO_UNLINK();
    const done: AttestationStatus[] = [];
    for (const s of active) {
      const { client, pinned } = await this.#trust(s.attestor);
      const tomb = await client.unlink(s.record, this.#c.identity.identityKey.sign(unlinkMessage(s.record)));
      const ok = tomb.publicKey.equals(pinned.signingKey) && tomb.salt.equals(s.record.salt) && tomb.seq > s.record.seq && hasValidSignature(tomb);
      if (!ok || decodeAttestationValue(tomb.value).kind !== 'withdrawn')
        throw SignupError.BAD_ATTESTATION('the attestor returned something that is not a tombstone for it');
      saveAttestation(this.#c.db, { ...s, state: 'withdrawn', record: tomb }, now);
      await putSigned(this.#c.dht, tomb).catch(() => 0); // the keeper retries
      done.push({ kind: s.kind, attestor: s.attestor, state: 'withdrawn', expiresAt: s.expiresAt });
    }
    await this.#c.keeper?.refresh();
    return done;
  }

  async #find(
    ids: Identifier[],
    attestorUrl?: string,
    onProgress: (checked: number, total: number) => void = () => {},
  ): Promise<Array<{ id?: ParleyId; rejected?: SignupError }>> {
    const attestors = attestorUrl ? [(await this.#trust(attestorUrl)).pinned] : pinnedAttestors(this.#c.db);
    if (attestors.length === 0) throw SignupError.NO_ATTESTOR();
    const trusted = pinnedAttestors(this.#c.db).map((a) => a.signingKey);
    const out: Array<{ id?: ParleyId; rejected?: SignupError }> = ids.map(() => ({}));
    // One batch of lookup keys at a time from the attestor; each batch's DHT lookups run while the next is computed.
    const order = ids.map((_, i) => i).sort((x, y) => (ids[x]!.kind < ids[y]!.kind ? -1 : ids[x]!.kind > ids[y]!.kind ? 1 : x - y));
    const total = ids.length * attestors.length;
    let checked = 0;
    for (const a of attestors) {
      const client = this.#client(a.url);
      const lookups: Array<Promise<void>> = [];
      for (let start = 0; start < order.length; start += MAX_BATCH) {
        const part = order.slice(start, start + MAX_BATCH);
        const keys = await lookupKeys(
          client,
          a,
          part.map((i) => ids[i]!),
          MAX_BATCH,
        );
        lookups.push(
          findAttestations(this.#c.dht, a, keys, { trusted, nowSeconds: this.#seconds() })
            .then((findings) =>
              findings.forEach((f, j) => {
                const i = part[j]!;
                if (out[i]!.id) return;
                if (f.found) out[i] = { id: f.found.id };
                // A tombstone means "nobody under this": the owner unlinked, which is not an error.
                else if ('rejected' in f && f.rejected && f.rejected.code !== 'WITHDRAWN') out[i] = { rejected: f.rejected };
              }),
            )
            .then(() => onProgress((checked += part.length), total)),
        );
      }
      await Promise.all(lookups);
    }
    return out;
  }

  /** The client of `url`, its keys pinned at first use; ATTESTOR_KEY_CHANGED if they differ later. */
  async #trust(url: string): Promise<{ client: AttestorClient; pinned: PinnedAttestor }> {
    const client = this.#client(url);
    const known = pinnedAttestors(this.#c.db).find((p) => p.url === client.url);
    const info = await client.info();
    if (known && (!known.signingKey.equals(info.signingKey) || !known.oprfKey.equals(info.oprfKey))) throw SignupError.ATTESTOR_KEY_CHANGED();
    const pinned = { url: client.url, signingKey: info.signingKey, oprfKey: info.oprfKey };
    if (!known) pinAttestor(this.#c.db, pinned);
    return { client, pinned };
  }

  #client(url: string): AttestorClient {
    return new AttestorClient(url, this.#c.fetch ? { fetch: this.#c.fetch } : {});
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}
