import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { world } from '../helpers/people.js';
import { SmtpSink, codeIn } from '../../src/testnet/index.js';
import { namespacedHash } from '../../src/identity/index.js';

const EMAIL = 'kim.forgotten@example.org';
const E164 = '+41791112233';
const NATIONAL = '079 111 22 33';

/** Every file under `dir`, read as bytes. */
function filesUnder(dir: string): Array<[string, Buffer]> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((p) => [p, readFileSync(p)]);
}

/** The identifier in clear (UTF-8 and UTF-16) and its unsalted hashes, raw and hex. */
function needles(s: string): Buffer[] {
  const out: Buffer[] = [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le')];
  for (const alg of ['sha1', 'sha256', 'sha512', 'md5', 'blake2b512']) {
    const d = createHash(alg).update(s).digest();
    out.push(d, Buffer.from(d.toString('hex')));
  }
  const b = namespacedHash('', Buffer.from(s));
  out.push(b, Buffer.from(b.toString('hex')));
  return out;
}

describe('after sign-up completes, nobody holds the address or number', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let sink: SmtpSink;
  let child: ChildProcess;
  let url: string;
  const attestorDir = mkdtempSync(join(tmpdir(), 'parley-attestor-state-'));
  const phoneDir = mkdtempSync(join(tmpdir(), 'parley-phone-'));
  const snapDir = mkdtempSync(join(tmpdir(), 'parley-snap-'));

  beforeAll(async () => {
    sink = new SmtpSink({ host: '127.0.0.1' });
    [w] = await Promise.all([world(5), sink.start()]);
    const { port } = sink.address();
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/attestor/attestor-child.ts',
        '--host',
        '127.0.3.20',
        '--key-file',
        join(attestorDir, 'attestor.key'),
        '--smtp',
        `127.0.0.1:${port}`,
        '--smtp-from',
        'codes@attestor.test',
        '--sms',
        `file:${join(phoneDir, 'sms.jsonl')}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (c) => reject(new Error(`attestor exited with ${c}`)));
    });
    url = (JSON.parse(line) as { url: string }).url;
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    await Promise.all([w.close(), sink.stop()]);
    for (const d of [attestorDir, phoneDir, snapDir]) rmSync(d, { recursive: true, force: true });
  });

  it("not the attestor process (heap snapshot), not its files, not the DHT, not the people's homes", async () => {
    const kim = await w.start('kim');
    const lee = await w.start('lee');
    await kim.signup().startSignup({ attestor: url, kind: 'email', identifier: EMAIL });
    const mail = await sink.take(EMAIL);
    const code = codeIn(mail.raw)!;
    await kim.signup().verifyCode(code);
    await kim.signup().startSignup({ attestor: url, kind: 'phone', identifier: NATIONAL, region: 'CH' });
    const sms = readFileSync(join(phoneDir, 'sms.jsonl'), 'utf8');
    expect(sms).toContain(E164); // the "phone" got it
    await kim.signup().verifyCode(/code is ([0-9]{6})/.exec(sms)![1]!);
    // Lee looks both up, so the attestor also served blinded evaluations.
    expect((await lee.signup().importContacts(`BEGIN:VCARD\nEMAIL:${EMAIL}\nTEL:${E164}\nEND:VCARD\n`, { attestor: url })).matches.map((m) => m.id)).toEqual([
      kim.id,
      kim.id,
    ]);

    const snapshot = join(snapDir, 'attestor.heapsnapshot');
    await new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send({ snapshot });
    });
    const heap = readFileSync(snapshot);
    expect(heap.length).toBeGreaterThan(1_000_000);
    // The search can see addresses the process does hold: its own sender address, from its flags.
    expect(heap.includes(Buffer.from('codes@attestor.test'))).toBe(true);
    for (const s of [EMAIL, E164, NATIONAL, E164.slice(1), `code is ${code}`, `code: ${code}`]) {
      expect(heap.includes(Buffer.from(s, 'utf8')), `heap holds ${s}`).toBe(false);
      expect(heap.includes(Buffer.from(s, 'utf16le')), `heap holds ${s}`).toBe(false);
    }

    const stored = [...filesUnder(attestorDir), ...filesUnder(kim.home), ...filesUnder(lee.home)];
    expect(stored.length).toBeGreaterThan(2);
    type Stored = { v: Buffer; salt?: Buffer; k?: Buffer };
    const values = w.net.nodes.flatMap((n) => {
      const lru = n.forTest().dht._values as unknown as { cache: Record<string, { value: Stored }> };
      return Object.values(lru.cache).map((e) => e.value);
    });
    const attestorKey = Buffer.from(((await (await fetch(`${url}/v1/info`)).json()) as { signingKey: string }).signingKey, 'base64');
    expect(values.filter((v) => v.k && attestorKey.equals(Buffer.from(v.k))).length).toBeGreaterThan(1);
    for (const s of [EMAIL, E164, E164.slice(1)]) {
      for (const needle of needles(s)) {
        for (const [path, bytes] of stored) expect(bytes.includes(needle), `${path} holds ${s}`).toBe(false);
        for (const v of values) {
          for (const part of [v.v, v.salt, v.k]) if (part) expect(Buffer.from(part).includes(needle), `the DHT holds ${s}`).toBe(false);
        }
      }
    }
  });
});
