/**
 * `npx tsx bench/signup.ts`: contact discovery on the local network.
 *  - import and match a 1,000-contact vCard (CONTACTS, REGISTERED of them on Parley: half by email,
 *    half by phone): parse → normalise → blinded OPRF through the attestor (batches of 256, proofs
 *    checked) → one DHT lookup per address/number on an 8-node testnet → verify;
 *  - the attestor's OPRF evaluations per second (batch of 256 with one DLEQ proof, and one element
 *    per HTTP request), beside a raw ristretto255 scalar multiplication rate measured in the same run.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { Identity, randomBytes } from '../src/identity/index.js';
import { openDb } from '../src/store/index.js';
import { DhtNode } from '../src/dht/index.js';
import { startTestnet } from '../src/testnet/index.js';
import { Attestor, AttestorKeys, AttestorServer } from '../src/attestor/index.js';
import {
  AttestorClient,
  Signup,
  blind,
  findAttestations,
  formatVcards,
  lookupKeys,
  normalise,
  pinnedAttestors,
  MAX_BATCH,
  type ContactCard,
} from '../src/signup/index.js';
import { ms, summarize, table } from './stats.js';
import { handBack } from './script-section.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1000);
const REGISTERED = Number(process.env.BENCH_REGISTERED ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const unlimited = { startsPerIdentifier: 10, startsPerIp: 1e9, verifiesPerIp: 1e9, evaluationsPerIp: 1e12, startsPerHour: 1e9, evaluationsPerHour: 1e12 };

const net = await startTestnet({ dhtNodes: 8 });
const codes = new Map<string, string>();
const sender = { send: async (to: string, code: string) => void codes.set(to, code) };
const server = new AttestorServer({ keys: AttestorKeys.generate(), host: '127.0.3.30', email: sender, sms: sender, limits: unlimited });
await server.start();
const url = server.url();

const email = (i: number) => `person${i}@example.org`;
const phone = (i: number) => `+41791${String(1_000_000 + i).slice(1)}`; // +41 79 xxx xx xx: valid Swiss mobile numbers
const client = async (host: string) => {
  const dht = new DhtNode({ bootstrap: net.bootstrap, host });
  await dht.start();
  return dht;
};

// REGISTERED people sign up (setup, not timed): half by email, half by phone.
const pubDht = await client('127.0.4.1');
const t0 = process.hrtime.bigint();
for (let i = 0; i < REGISTERED; i++) {
  const s = new Signup({ db: openDb(':memory:'), identity: Identity.generate(), dht: pubDht });
  const kind = i % 2 === 0 ? 'email' : 'phone';
  const value = kind === 'email' ? email(i) : phone(i);
  await s.startSignup({ attestor: url, kind, identifier: value });
  await s.verifyCode(codes.get(value)!);
}
process.stderr.write(`${REGISTERED} sign-ups (start + verify + DHT put) in ${(ms(t0) / 1000).toFixed(1)} s\n`);

// The address book: every registered person, and the rest nobody on Parley.
const cards: ContactCard[] = Array.from({ length: CONTACTS }, (_, i) =>
  i % 2 === 0 ? { name: `Contact ${i}`, emails: [email(i)], phones: [] } : { name: `Contact ${i}`, emails: [], phones: [phone(i).replace('+41', '0')] },
);
const vcf = formatVcards(cards);
const finderDb = openDb(':memory:');
const finderDht = await client('127.0.4.2');
const finder = new Signup({ db: finderDb, identity: Identity.generate(), dht: finderDht });
const importMs: number[] = [];
let matched = 0;
for (let r = 0; r < RUNS; r++) {
  const t = process.hrtime.bigint();
  const res = await finder.importContacts(vcf, { attestor: url, region: 'CH' });
  importMs.push(ms(t));
  matched = res.matches.length;
}
if (matched !== Math.min(REGISTERED, CONTACTS)) throw new Error(`matched ${matched}, expected ${REGISTERED}`);

// The two halves of an import, timed apart: blinded OPRF (client blind + attestor + proof check + unblind), then DHT lookups.
const pinned = pinnedAttestors(finderDb)[0]!;
const ids = cards.map((c) => (c.emails[0] ? normalise('email', c.emails[0]) : normalise('phone', c.phones[0]!, 'CH')));
const to = process.hrtime.bigint();
const keys = await lookupKeys(new AttestorClient(url), pinned, ids, MAX_BATCH);
const oprfMs = ms(to);
const td = process.hrtime.bigint();
await findAttestations(finderDht, pinned, keys, { trusted: [pinned.signingKey], nowSeconds: Math.floor(Date.now() / 1000) });
const dhtMs = ms(td);

// OPRF: the attestor's evaluate (in process), per element, in batches of 256 and of 1; over HTTP, one element per request.
const attestor = new Attestor({ keys: AttestorKeys.generate(), now: Date.now }, { limits: unlimited });
const info = { oprfKey: (await new AttestorClient(url).info()).oprfKey };
const rate = (n: number, f: () => void) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return n / (ms(t) / 1000);
};
const b256 = blind(
  'email',
  Array.from({ length: 256 }, (_, i) => email(i)),
  info.oprfKey,
).blinded;
const b1 = b256.slice(0, 1);
const batchRate = rate(8, () => attestor.evaluate('bench', 'email', b256)) * 256;
const singleRate = rate(300, () => attestor.evaluate('bench', 'email', b1));
const http = new AttestorClient(url);
const th = process.hrtime.bigint();
const HTTP_N = 300;
for (let i = 0; i < HTTP_N; i++) await http.evaluate('email', b1);
const httpRate = HTTP_N / (ms(th) / 1000);
// Baseline: one ristretto255 scalar multiplication of a random point by a random scalar.
const P = ristretto255.Point.BASE.multiply(123456789n);
const scalars = Array.from({ length: 500 }, () => BigInt('0x' + randomBytes(31).toString('hex')));
let k = 0;
const mulRate = rate(500, () => void P.multiply(scalars[k++]!));

const imp = summarize(importMs);
const title = `Sign-up and contact discovery (${CONTACTS} contacts, ${REGISTERED} on Parley, 8-node loopback DHT, ${RUNS} runs)`;
const rows = [
  {
    figure: `import + match ${CONTACTS}-contact vCard (median of ${RUNS})`,
    value: `${(imp.median / 1000).toFixed(2)} s`,
    'per contact': `${(imp.median / CONTACTS).toFixed(2)} ms`,
    baseline: '—',
  },
  {
    figure: '  of which blinded OPRF round trips (4 batches)',
    value: `${(oprfMs / 1000).toFixed(2)} s`,
    'per contact': `${(oprfMs / CONTACTS).toFixed(2)} ms`,
    baseline: '—',
  },
  {
    figure: '  of which DHT lookups (16 at a time)',
    value: `${(dhtMs / 1000).toFixed(2)} s`,
    'per contact': `${(dhtMs / CONTACTS).toFixed(2)} ms`,
    baseline: '—',
  },
  {
    figure: 'attestor OPRF evaluations/s, batch of 256 (one DLEQ proof)',
    value: `${batchRate.toFixed(0)}/s`,
    'per contact': `${(1000 / batchRate).toFixed(3)} ms`,
    baseline: `ristretto255 scalar mult: ${mulRate.toFixed(0)}/s`,
  },
  {
    figure: 'attestor OPRF evaluations/s, one element (proof each)',
    value: `${singleRate.toFixed(0)}/s`,
    'per contact': `${(1000 / singleRate).toFixed(3)} ms`,
    baseline: `ratio to scalar mult: ${(mulRate / singleRate).toFixed(1)}×`,
  },
  {
    figure: 'over HTTP, one element per request (client blinds once)',
    value: `${httpRate.toFixed(0)}/s`,
    'per contact': `${(1000 / httpRate).toFixed(3)} ms`,
    baseline: '—',
  },
];
console.log(`\n## ${title}\n`);
console.log(table(rows));
handBack({ title, rows, notes: [`matched ${matched} of ${CONTACTS}; import runs (ms): ${importMs.map((x) => x.toFixed(0)).join(', ')}`] });
console.log(`\nmatched ${matched} of ${CONTACTS}; import runs (ms): ${importMs.map((x) => x.toFixed(0)).join(', ')}`);

await server.stop();
await pubDht.stop();
await finderDht.stop();
await net.stop();
process.exit(0);
