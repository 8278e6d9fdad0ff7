import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './harness.js';
import { publicKeyOf, unlockKeyFile, type ParleyId } from '../../src/identity/index.js';
import { openHome } from '../../src/store/index.js';

const { root, parley, failing, background, close } = cliHarness('parley-atrest-');
afterAll(close);

/** `parley` with text on its standard input, as a script pipes a passphrase. */
function withStdin(input: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['bin/parley.js', ...args], { env: { ...process.env, PARLEY_TESTNET_FILE: join(root, 'testnet.json') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Which files under `home` hold any of the needles (each file read whole: db, WAL, shm, journals, api files, logs). */
function leaks(home: string, needles: Record<string, Buffer>): string[] {
  const found: string[] = [];
  for (const e of readdirSync(home, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const bytes = readFileSync(join(e.parentPath, e.name));
    for (const [what, needle] of Object.entries(needles)) if (bytes.includes(needle)) found.push(`${e.name}: ${what}`);
  }
  return found;
}

const TEXTS = ['the marmalade is under the third floorboard', 'meet me by the orangery at quarter past nine', 'received, the owl flies at dawn'];
const NAMES = { alice: 'Alicia Wonderbridge', bob: 'Roberto Quillfeather' };

describe('encryption at rest, from the command line', () => {
  it('after a conversation between two people with passphrases, no file in either home holds a text, name, ID or key', async () => {
    const alice = join(root, 'alice');
    const bob = join(root, 'bob');
    const passFile = join(root, 'alice.pass');
    writeFileSync(passFile, 'correct horse battery staple\n', { mode: 0o600 });
    await background(['testnet', '--dht', '4', '--relays', '2']);

    // A script sets a passphrase from a file, or from standard input; never as an argument.
    const a = JSON.parse((await parley('init', '--home', alice, '--name', NAMES.alice, '--passphrase-file', passFile, '--json')).stdout);
    const b = await withStdin('staple tuna envelope\n', 'init', '--home', bob, '--name', NAMES.bob, '--passphrase', '--json');
    expect(b.code).toBe(0);
    const bobId = JSON.parse(b.stdout).id as ParleyId;
    const aliceId = a.id as ParleyId;
    expect(a.diskProtected).toBe(true);

    // Locked, and nothing serves the homes: commands say how to unlock.
    expect((await failing('history', '--home', alice)).stderr).toMatch(/protected by a passphrase; unlock it first; start `parley run --passphrase`/);
    expect((await parley('status', '--home', alice)).stdout).toMatch(/The disk is protected/);

    const stops: (() => Promise<unknown>)[] = [];
    const stopOf = (c: import('node:child_process').ChildProcess) => () => new Promise((r) => (c.kill('SIGTERM'), c.once('exit', r)));
    const runA = await background(['run', '--home', alice, '--passphrase-file', passFile]);
    expect(runA.out).toMatch(/Parley is running for/);
    expect(runA.out).not.toMatch(/NOT protected/);
    // Bob's Parley starts locked and is unlocked by `parley unlock` reading standard input.
    stops.push(stopOf(runA.child), stopOf((await background(['run', '--home', bob], /Web UI/)).child));
    const unlocked = await withStdin('staple tuna envelope\n', 'unlock', '--home', bob, '--passphrase');
    expect(unlocked.stdout).toMatch(/Unlocked: Parley is running/);
    expect(JSON.parse((await parley('id', '--home', bob, '--json')).stdout)).toMatchObject({ id: bobId, name: NAMES.bob });

    await parley('contact', 'add', '--home', alice, bobId, '--name', NAMES.bob);
    await parley('contact', 'add', '--home', bob, aliceId, '--name', NAMES.alice);
    for (const [from, to, text] of [
      [alice, bobId, TEXTS[0]],
      [bob, aliceId, TEXTS[1]],
      [alice, bobId, TEXTS[2]],
    ] as const) {
      expect(JSON.parse((await parley('send', '--home', from, to, text!, '--wait', '45', '--json')).stdout).state).toBe('delivered');
    }
    const seen = JSON.parse((await parley('history', '--home', bob, '--json')).stdout).map((m: { body: string }) => m.body);
    expect(seen).toEqual(TEXTS);

    const needles: Record<string, Buffer> = {};
    for (const [i, t] of TEXTS.entries()) {
      needles[`text ${i}`] = Buffer.from(t);
      needles[`text ${i} longest word`] = Buffer.from([...t.split(' ')].sort((x, y) => y.length - x.length)[0]!); // the FTS index holds words
    }
    for (const [who, n] of Object.entries(NAMES)) needles[`name of ${who}`] = Buffer.from(n);
    for (const [who, id] of Object.entries({ alice: aliceId, bob: bobId })) {
      needles[`ID of ${who}`] = Buffer.from(id);
      needles[`ID of ${who} as bytes`] = publicKeyOf(id);
      needles[`ID of ${who} as hex`] = Buffer.from(publicKeyOf(id).toString('hex'));
    }
    const check = async (label: string) => {
      for (const home of [alice, bob]) expect(leaks(home, needles), `${label}: ${home}`).toEqual([]);
    };
    await check('while both run'); // the WAL and shm files are there now
    for (const stop of stops) await stop();
    // The keys: identity seeds, the Signal identity key, the database key, and the Signal sessions
    // and prekeys the database holds (a 24-byte slice of each record, read through the key).
    for (const [who, home, pass] of [
      ['alice', alice, 'correct horse battery staple'],
      ['bob', bob, 'staple tuna envelope'],
    ] as const) {
      const { identity, disk } = unlockKeyFile(home, pass);
      needles[`${who} identity seed`] = identity.identityKey.seed.expose();
      needles[`${who} transport seed`] = identity.transportKey.seed.expose();
      needles[`${who} signal identity key`] = identity.signalIdentityPrivate.expose().subarray(-32);
      needles[`${who} database key`] = disk!.key.expose();
      needles[`${who} database key as hex`] = Buffer.from(disk!.key.expose().toString('hex'));
      const { db } = openHome(home, pass);
      const records = db
        .prepare(
          `SELECT record FROM signal_sessions UNION ALL SELECT record FROM signal_prekeys UNION ALL SELECT record FROM signal_signed_prekeys UNION ALL SELECT record FROM signal_kyber_prekeys`,
        )
        .pluck()
        .all() as Buffer[];
      db.close();
      expect(records.length).toBeGreaterThanOrEqual(3); // a session, a signed prekey, a Kyber prekey at least
      for (const [i, r] of records.entries()) needles[`${who} signal record ${i}`] = r.subarray(8, 32);
    }
    await check('after both stopped');
  }, 180_000);
});
