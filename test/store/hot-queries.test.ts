import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  migrate,
  insertMessage,
  upsertContact,
  enqueue,
  dueContacts,
  nextDueAt,
  outboxFor,
  listOutbox,
  recordAttempt,
  dequeue,
  unreadCounts,
  markRead,
  lastArrivedSeq,
  lastMessages,
  newestRoutes,
  getMessage,
  setMessageState,
  conversationPage,
  history,
  listContacts,
  takeOutSeq,
  type Db,
} from '../../src/store/index.js';
import { contactViews, lastRoutes, messageView, waitingReasons } from '../../src/api/views.js';

/*
 * Every statement on a hot path (the delivery loop four times a second, each round trip, the contact
 * list, unread counts) must reach messages through an index search, never a scan of the table or of
 * a whole index: those grow with history (192 ms per delivery tick at 100,000 messages before
 * migration 004). The statements are the ones the real functions run, captured as SQLite executes
 * them, then explained.
 */

const dir = mkdtempSync(join(tmpdir(), 'parley-plans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordingDb(): { db: Db; seen: string[] } {
  const seen: string[] = [];
  const db = new Database(join(dir, `${seen.length}-${Math.random()}.db`), { verbose: (sql) => seen.push(String(sql)) });
  db.pragma('foreign_keys = ON');
  migrate(db);
  const route = JSON.stringify({ route: 'direct', hops: [] });
  for (const c of ['bob', 'carol']) upsertContact(db, c, 'added', 1);
  db.transaction(() => {
    for (let i = 1; i <= 300; i++) {
      const c = i % 2 ? 'bob' : 'carol';
      const out = i % 3 === 0;
      insertMessage(db, {
        id: `m${i}`,
        contactId: c,
        direction: out ? 'out' : 'in',
        convSeq: out ? takeOutSeq(db, c) : i,
        body: `text ${i}`,
        sentAt: i,
        receivedAt: out ? null : i,
        state: out ? (i > 290 ? 'queued' : 'delivered') : 'received',
        route: out && i > 290 ? null : route,
      });
      if (out && i > 290) enqueue(db, `m${i}`, i);
    }
  })();
  seen.length = 0;
  return { db, seen };
}

/** The query-plan lines of a statement that scan `messages` (under any alias) rather than search it. */
function scansOfMessages(db: Db, sql: string): string[] {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>;
  const aliases = new Set(['messages', ...[...sql.matchAll(/\bmessages\s+(?:AS\s+)?([a-z]\w*)/gi)].map((m) => m[1]!)]);
  return plan
    .map((p) => p.detail)
    .filter((d) => {
      const m = /^SCAN (\w+)/.exec(d);
      return m !== null && aliases.has(m[1]!) && !/^(ON|WHERE|JOIN|ORDER|GROUP|LIMIT|SET|CROSS)$/i.test(m[1]!);
    });
}

const explainable = (sql: string) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql);

describe('hot statements use an index on messages (EXPLAIN QUERY PLAN)', () => {
  it('the delivery loop, the round trip and the contact list never scan messages', () => {
    const { db, seen } = recordingDb();
    const now = 1_000;
    // The delivery loop and a send's round trip.
    dueContacts(db, now);
    nextDueAt(db);
    const due = outboxFor(db, 'carol');
    expect(due.length).toBeGreaterThan(0);
    recordAttempt(db, due[0]!.message_id, now + 1, null);
    getMessage(db, due[0]!.message_id);
    setMessageState(db, due[0]!.message_id, 'sent', JSON.stringify({ route: 'direct', hops: [] }));
    lastArrivedSeq(db, 'bob');
    dequeue(db, due[0]!.message_id);
    setMessageState(db, due[0]!.message_id, 'delivered');
    // What the UI asks for: the contact list (all, and one), unread counts, a conversation, the outbox.
    contactViews(db, listContacts(db));
    contactViews(db, listContacts(db), { only: 'bob' });
    unreadCounts(db);
    unreadCounts(db, 'bob');
    lastMessages(db);
    lastMessages(db, 'bob');
    newestRoutes(db);
    lastRoutes(db, 'bob');
    conversationPage(db, 'bob', { limit: 50 });
    history(db, 'bob', 50);
    listOutbox(db);
    waitingReasons(db, 'bob');
    messageView(db, 'm3');
    markRead(db, 'bob');

    const statements = [...new Set(seen.filter(explainable))];
    expect(statements.length).toBeGreaterThan(15);
    const scans = statements.map((sql) => ({ sql, scans: scansOfMessages(db, sql) })).filter((s) => s.scans.length > 0);
    expect(scans).toEqual([]);
  });

  it('the triggers that keep the unread counts search messages too', () => {
    const { db } = recordingDb();
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'contact_summary%'").all() as Array<{
      name: string;
      sql: string;
    }>;
    expect(triggers.length).toBeGreaterThanOrEqual(4);
    const scans: string[] = [];
    for (const t of triggers) {
      const body = /\bBEGIN\b([\s\S]*)\bEND\b/i.exec(t.sql)![1]!;
      for (const part of body
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const sql = part.replace(/\b(new|old)\.(\w+)/g, "'x'");
        scans.push(...scansOfMessages(db, sql).map((s) => `${t.name}: ${s}`));
      }
    }
    expect(scans).toEqual([]);
  });
});
