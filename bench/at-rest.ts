/**
 * `npm run bench -- atrest`: what encryption at rest and padding cost, each beside its baseline in
 * the same run. Database: message writes (one transaction each, synchronous FULL, as the node
 * writes them) and full-text searches, in clear and encrypted (SQLite3 Multiple Ciphers, ChaCha20).
 * Padding: ciphertext bytes of real Signal messages for the corpus's texts and for receipts,
 * padded (as sent now) and unpadded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SecretKey, Identity } from '../src/identity/index.js';
import { insertMessage, openDb, searchMessages, upsertContact, writeTx } from '../src/store/index.js';
import { E2E } from '../src/e2e/index.js';
import { paddedSize } from '../src/e2e/padding.js';
import { contentCodec } from '../src/wire/content.js';
import { messageBody, MEDIUM, RARE } from './corpus.js';
import { progress, type BenchContext, type Row, type SectionBody } from './section.js';

function dbRun(encrypted: boolean, writes: number, searches: number): Row {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-atrest-'));
  try {
    const db = openDb(join(dir, 'parley.db'), { key: encrypted ? new SecretKey(randomBytes(32)) : null });
    upsertContact(db, 'bob', 'added', 1);
    let t = process.hrtime.bigint();
    for (let i = 1; i <= writes; i++) {
      writeTx(db, () =>
        insertMessage(db, {
          id: `m${i}`,
          contactId: 'bob',
          direction: 'in',
          convSeq: i,
          body: messageBody(i),
          sentAt: i,
          receivedAt: i,
          state: 'received',
          route: null,
        }),
      );
    }
    const writeS = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    let hits = 0;
    for (let i = 0; i < searches; i++) hits += searchMessages(db, i % 2 ? MEDIUM : RARE, { limit: 50 }).length;
    const searchS = Number(process.hrtime.bigint() - t) / 1e9;
    db.close();
    return {
      database: encrypted ? 'encrypted at rest' : 'clear (baseline)',
      writes,
      'writes/s': Math.round(writes / writeS),
      searches,
      'searches/s': Math.round(searches / searchS),
      hits,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function atRestSection(ctx: BenchContext): Promise<SectionBody> {
  const writes = Math.max(200, Math.min(ctx.count, 2000));
  const searches = 500;
  const rows: Row[] = [];
  // Alternate, twice each, so a load change on the machine hits both alike.
  for (const encrypted of [false, true, false, true]) {
    progress(`atrest: database ${encrypted ? 'encrypted' : 'clear'}`);
    rows.push(dbRun(encrypted, writes, searches));
  }

  progress('atrest: padding');
  const alice = { identity: Identity.generate() };
  const bob = { identity: Identity.generate() };
  const ae = new E2E({ db: openDb(':memory:'), identity: alice.identity });
  const be = new E2E({ db: openDb(':memory:'), identity: bob.identity });
  await ae.startSession(bob.identity.id, await be.createBundle());
  const first = await ae.encrypt(bob.identity.id, Buffer.from('{}'));
  await be.decrypt(alice.identity.id, first.kind, first.body, alice.identity.binding);
  const reply = await be.encrypt(alice.identity.id, Buffer.from('{}')); // so Alice's messages are ordinary ratchet messages
  await ae.decrypt(bob.identity.id, reply.kind, reply.body);
  const overheadOf = async (n: number) => (await ae.encrypt(bob.identity.id, Buffer.alloc(n))).body.length - paddedSize(n);
  const overhead = await overheadOf(10); // Signal's own bytes around the padded plaintext
  const samples: Array<{ kind: string; plain: Buffer }> = [];
  for (let i = 0; i < 1000; i++) {
    samples.push({
      kind: 'text',
      plain: contentCodec.encode({ v: 1, t: 'text', id: randomBytes(16).toString('hex'), n: i + 1, body: messageBody(i), at: Date.now(), via: 'both-relays' }),
    });
    samples.push({ kind: 'receipt', plain: contentCodec.encode({ v: 1, t: 'receipt', ids: [randomBytes(16).toString('hex')] }) });
  }
  const padRows: Row[] = [];
  for (const kind of ['text', 'receipt']) {
    let padded = 0;
    let unpadded = 0;
    for (const s of samples.filter((x) => x.kind === kind)) {
      padded += (await ae.encrypt(bob.identity.id, s.plain)).body.length; // as sent now
      unpadded += Math.ceil((s.plain.length + 1) / 16) * 16 + overhead; // the same message without the padding (CBC blocks of 16)
    }
    const n = samples.length / 2;
    padRows.push({
      content: `${kind} (corpus, ${n})`,
      'bytes/message unpadded': Math.round(unpadded / n),
      'bytes/message padded': Math.round(padded / n),
      cost: `${((padded / unpadded - 1) * 100).toFixed(0)} %`,
    });
  }
  return {
    title: 'Encryption at rest and padding',
    rows,
    tables: [{ title: 'Padding: Signal ciphertext bytes per message', rows: padRows }],
    notes: [
      'Database: one transaction per message write (synchronous FULL), FTS5 searches for a rare and a medium-frequency word, limit 50; clear and encrypted alternate in one run.',
      'Padding: each plaintext padded to 256 B, 1, 4, 16 or 32 KiB inside the Signal encryption; "unpadded" is the same ciphertext without the padding (Signal overhead measured in this run).',
    ],
  };
}
