import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Identity, saveIdentity } from '../../src/identity/index.js';
import { addContact, setReachableByStrangers } from '../../src/node/index.js';
import { openDb, setVisibility, history } from '../../src/store/index.js';
import { world, delivered } from '../helpers/people.js';
import { until } from '../helpers/until.js';

/** Bob runs as a real separate process, so he can be killed with SIGKILL mid-conversation. */
function runBob(home: string, bootstrap: string[]): Promise<ChildProcess> {
  const child = spawn('node', ['bin/parley.js', 'run', '--home', home, '--host', '127.0.0.44', '--bootstrap', ...bootstrap], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('is running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bob exited (${code})`)));
  });
}

function bobInbox(home: string) {
  const db = openDb(join(home, 'parley.db'));
  try {
    return history(db, undefined, 10_000).filter((m) => m.direction === 'in');
  } finally {
    db.close();
  }
}

describe('a receiver killed with SIGKILL mid-conversation', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.close();
  });

  it('loses nothing and duplicates nothing once restarted', async () => {
    const alice = await w.start('alice');
    const bobHome = join(w.root, 'bob');
    const bobIdentity = Identity.generate();
    saveIdentity(bobHome, bobIdentity);
    const db = openDb(join(bobHome, 'parley.db'));
    addContact(db, bobIdentity.id, alice.id, Date.now());
    setVisibility(db, alice.id, 'direct');
    setReachableByStrangers(db, true); // no relay in this world: Bob's intro must name his address
    db.close();
    alice.addContact(bobIdentity.id);
    alice.setVisibility(bobIdentity.id, 'direct');

    let bob = await runBob(bobHome, w.net.bootstrap);
    const total = 60;
    for (let i = 0; i < total; i++) alice.send(bobIdentity.id, `msg ${i}`);
    await until(
      () => bobInbox(bobHome).length >= 5,
      () => `the first 5 messages in Bob's inbox (${bobInbox(bobHome).length} are)`,
    );
    bob.kill('SIGKILL');
    await new Promise((r) => bob.once('exit', r));
    const before = bobInbox(bobHome).length;
    expect(before).toBeLessThan(total);

    bob = await runBob(bobHome, w.net.bootstrap);
    try {
      await delivered(alice, bobIdentity.id, total, 45_000);
      const inbox = bobInbox(bobHome);
      expect(inbox.map((m) => m.body)).toEqual(Array.from({ length: total }, (_, i) => `msg ${i}`));
      expect(alice.outbox()).toEqual([]);
    } finally {
      bob.kill('SIGTERM');
      await new Promise((r) => bob.once('exit', r));
    }
  }, 90_000);
});
