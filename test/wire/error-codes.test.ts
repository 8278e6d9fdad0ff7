import { describe, expect, it } from 'vitest';
import { ParleyError, WIRE_ERROR_CODES, WireError } from '../../src/wire/errors.js';
import { IDENTITY_ERROR_CODES, IdentityError } from '../../src/identity/index.js';
import { STORE_ERROR_CODES, StoreError } from '../../src/store/index.js';
import { DHT_ERROR_CODES, DhtError } from '../../src/dht/index.js';
import { TRANSPORT_ERROR_CODES, TransportError } from '../../src/transport/index.js';
import { E2E_ERROR_CODES, E2EError } from '../../src/e2e/index.js';
import { RELAY_ERROR_CODES, RelayError } from '../../src/relay/index.js';
import { SIGNUP_ERROR_CODES, SignupError } from '../../src/signup/index.js';
import { NODE_ERROR_CODES, NodeError } from '../../src/node/index.js';
import { ATTESTOR_ERROR_CODES, AttestorError } from '../../src/attestor/errors.js';
import { API_ERROR_CODES, ApiError } from '../../src/api/index.js';
import { TESTNET_ERROR_CODES, TestnetError } from '../../src/testnet/errors.js';
import { CLI_ERROR_CODES, CliError } from '../../src/cli/errors.js';

/** Each layer's error class and its list of codes. */
const layers: Array<[string, { prototype: ParleyError }, readonly string[]]> = [
  ['wire', WireError, WIRE_ERROR_CODES],
  ['identity', IdentityError, IDENTITY_ERROR_CODES],
  ['store', StoreError, STORE_ERROR_CODES],
  ['dht', DhtError, DHT_ERROR_CODES],
  ['transport', TransportError, TRANSPORT_ERROR_CODES],
  ['e2e', E2EError, E2E_ERROR_CODES],
  ['relay', RelayError, RELAY_ERROR_CODES],
  ['signup', SignupError, SIGNUP_ERROR_CODES],
  ['node', NodeError, NODE_ERROR_CODES],
  ['attestor', AttestorError, ATTESTOR_ERROR_CODES],
  ['api', ApiError, API_ERROR_CODES],
  ['testnet', TestnetError, TESTNET_ERROR_CODES],
  ['cli', CliError, CLI_ERROR_CODES],
];

/** Every error a layer's factories make, called with stand-in arguments. */
function madeBy(cls: object): ParleyError[] {
  const made: ParleyError[] = [];
  for (const name of Object.getOwnPropertyNames(cls)) {
    const f = (cls as Record<string, unknown>)[name];
    if (typeof f !== 'function' || name === 'is') continue;
    const args = name === 'REJECTED' ? ['x', ['bad signature']] : name === 'AMBIGUOUS_NAME' ? ['x', ['ab12cd34', 'ef56ab78']] : ['x', 2, 3]; // these two take lists
    const out: unknown = (f as (...args: unknown[]) => unknown).call(cls, ...args);
    if (out instanceof ParleyError) made.push(out);
  }
  return made;
}

describe('error codes', () => {
  it('no code belongs to two layers: a code names one thing wherever it surfaces', () => {
    const owners = new Map<string, string[]>();
    for (const [layer, , codes] of layers) for (const c of codes) owners.set(c, [...(owners.get(c) ?? []), layer]);
    // The attestor's codes reach sign-up as ATTESTOR_<code>; the attestor's own list is the same list, one idea.
    const shared = [...owners].filter(([, who]) => who.length > 1);
    expect(shared).toEqual([]);
  });

  it("every factory makes an error of its layer's list, in one sentence style, naming no CLI command below the CLI", () => {
    for (const [layer, cls, codes] of layers) {
      const made = madeBy(cls);
      expect(made.length, layer).toBeGreaterThan(0);
      for (const err of made) {
        expect(codes, `${layer} ${err.code}`).toContain(err.code);
        expect(err.message, `${layer} ${err.code}`).toMatch(/^[a-z0-9"'(`]/);
        expect(err.message, `${layer} ${err.code}`).not.toMatch(/\.$/);
        if (layer !== 'cli') expect(err.message, `${layer} ${err.code}`).not.toMatch(/`parley|--[a-z]/);
      }
    }
  });
});
