import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, ApiClientError } from '../../src/api/index.js';
import { Identity, saveIdentity } from '../../src/identity/index.js';
import { ParleyError } from '../../src/wire/errors.js';
import { startLockedNode, stopLockedNode, type ParleyNode } from '../../src/node/index.js';
import { cliHarness } from './harness.js';

const { root, parley, background, close } = cliHarness('parley-contact-errors-');

/** One home per way in: a node in this process, `parley run`'s API and the CLI through it, the CLI on a home nobody serves. */
let node: ParleyNode;
let api: ApiClient;
let served: { home: string; id: string };
let plain: { home: string; id: string };
const stranger = Identity.generate().id; // a valid ID that is no one's contact
const known = Identity.generate().id; // a contact whose key nobody has seen yet (no message exchanged)

async function init(name: string): Promise<{ home: string; id: string }> {
  const home = join(root, name);
  const { id } = JSON.parse((await parley('init', '--home', home, '--json')).stdout) as { id: string };
  await parley('contact', 'add', '--home', home, known);
  return { home, id };
}

/** The code a CLI command fails with, as `--json` prints it for scripts. */
async function cliCode(home: string, args: string[]): Promise<string> {
  try {
    await parley(...args.slice(0, args.indexOf('@')), '--home', home, ...args.slice(args.indexOf('@') + 1), '--json');
  } catch (e) {
    const { stdout, code } = e as { stdout: string; code: number };
    expect(code).toBe(1);
    return (JSON.parse(stdout) as { error: { code: string } }).error.code;
  }
  throw new Error(`parley ${args.join(' ')} should have failed`);
}

const codeOf = (p: Promise<unknown> | (() => unknown)): Promise<string> =>
  Promise.resolve()
    .then(typeof p === 'function' ? p : () => p)
    .then(
      () => 'no error',
      (e: unknown) => (ParleyError.is(e) || e instanceof ApiClientError ? e.code : String(e)),
    );

interface Case {
  what: string;
  code: string;
  node: (self: string) => unknown;
  api: (self: string) => Promise<unknown>;
  /** The command line; '@' stands where `--home <dir>` goes. */
  cli: (self: string) => string[];
}

const cases: Case[] = [
  {
    what: 'add oneself',
    code: 'SELF',
    node: (self) => node.addContact(self),
    api: (self) => api.addContact({ id: self }),
    cli: (self) => ['contact', 'add', '@', self],
  },
  {
    what: 'accept a stranger',
    code: 'NOT_A_REQUEST',
    node: () => node.accept(stranger),
    api: () => api.accept(stranger),
    cli: () => ['contact', 'accept', '@', stranger],
  },
  {
    what: 'decline a stranger',
    code: 'NOT_A_REQUEST',
    node: () => node.decline(stranger),
    api: () => api.decline(stranger),
    cli: () => ['contact', 'decline', '@', stranger],
  },
  {
    what: 'block a stranger',
    code: 'UNKNOWN_CONTACT',
    node: () => node.block(stranger),
    api: () => api.block(stranger),
    cli: () => ['contact', 'set', '@', stranger, '--block'],
  },
  {
    what: 'unblock a stranger',
    code: 'UNKNOWN_CONTACT',
    node: () => node.unblock(stranger),
    api: () => api.unblock(stranger),
    cli: () => ['contact', 'set', '@', stranger, '--unblock'],
  },
  {
    what: 'rename a stranger',
    code: 'UNKNOWN_CONTACT',
    node: () => node.rename(stranger, 'X'),
    api: () => api.patchContact(stranger, { name: 'X' }),
    cli: () => ['contact', 'set', '@', stranger, '--name', 'X'],
  },
  {
    what: "set a stranger's visibility",
    code: 'UNKNOWN_CONTACT',
    node: () => node.setVisibility(stranger, 'direct'),
    api: () => api.patchContact(stranger, { visibility: 'direct' }),
    cli: () => ['contact', 'set', '@', stranger, '--visibility', 'direct'],
  },
  {
    what: "a stranger's safety number",
    code: 'UNKNOWN_CONTACT',
    node: () => node.safetyNumber(stranger),
    api: () => api.safety(stranger),
    cli: () => ['safety', '@', stranger],
  },
  {
    what: 'a safety number before any key',
    code: 'NO_KEY_YET',
    node: () => node.safetyNumber(known),
    api: () => api.safety(known),
    cli: () => ['safety', '@', known],
  },
  {
    what: 'verify before any key',
    code: 'NO_KEY_YET',
    node: () => node.setVerified(known, true),
    api: () => api.verify(known, true),
    cli: () => ['safety', '@', known, '--verify'],
  },
  {
    what: 'verify a stranger',
    code: 'UNKNOWN_CONTACT',
    node: () => node.setVerified(stranger, true),
    api: () => api.verify(stranger, true),
    cli: () => ['safety', '@', stranger, '--verify'],
  },
  {
    what: 'accept a new key never offered',
    code: 'NO_KEY_CHANGE',
    node: () => node.acceptNewKey(known),
    api: () => api.acceptNewKey(known),
    cli: () => ['safety', '@', known, '--accept-new-key'],
  },
  {
    what: "accept a stranger's new key",
    code: 'UNKNOWN_CONTACT',
    node: () => node.acceptNewKey(stranger),
    api: () => api.acceptNewKey(stranger),
    cli: () => ['safety', '@', stranger, '--accept-new-key'],
  },
];

beforeAll(async () => {
  await background(['testnet', '--dht', '4', '--relays', '0']);
  const { bootstrap } = JSON.parse(readFileSync(join(root, 'testnet.json'), 'utf8')) as { bootstrap: string[] };
  const inProcess = join(root, 'in-process');
  saveIdentity(inProcess, Identity.generate());
  node = await startLockedNode({ home: inProcess, bootstrap, host: '127.0.0.1' }, () => new Error('busy'));
  node.addContact(known);
  served = await init('served');
  plain = await init('plain');
  const { out } = await background(['run', '--home', served.home], /keep it to yourself/);
  const m = /Web UI: (http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]{43})/.exec(out)!;
  api = new ApiClient(m[1]!, m[2]!);
}, 60_000);

afterAll(async () => {
  await stopLockedNode(node);
  await close();
});

describe('a contact operation fails with the same code through the node, the API and the CLI, with or without `parley run`', () => {
  it.each(cases)(
    '$what: $code',
    async (c) => {
      expect({
        node: await codeOf(() => c.node(node.id)),
        api: await codeOf(c.api(served.id)),
        cliThroughDaemon: await cliCode(served.home, c.cli(served.id)),
        cliOnStore: await cliCode(plain.home, c.cli(plain.id)),
      }).toEqual({ node: c.code, api: c.code, cliThroughDaemon: c.code, cliOnStore: c.code });
    },
    60_000,
  );

  it('the API answers a missing contact and a missing request with 404, a missing key with 409', async () => {
    const statusOf = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: unknown) => (e as ApiClientError).status,
      );
    expect(await statusOf(api.contact(stranger))).toBe(404);
    expect(await statusOf(api.accept(stranger))).toBe(404);
    expect(await statusOf(api.safety(known))).toBe(409);
    expect(await codeOf(api.contact(stranger))).toBe('UNKNOWN_CONTACT');
  });
});
