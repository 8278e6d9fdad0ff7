import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { cliHarness } from './harness.js';
import { until } from '../helpers/until.js';

/*
 * `parley relays` and `parley status` as a person uses them on a network that hands out no relay
 * list: what was found, how fast, what is in use and for what; excluding and pinning by key.
 */
const { root, parley, failing, background, close } = cliHarness('parley-cli-relays-');
afterAll(close);

interface Relay {
  host: string;
  port: number;
  publicKey: string;
  source: string;
  rttMs: number | null;
  pinned: boolean;
  excluded: boolean;
  uses: string[];
}

const stopped = (c: ChildProcess) =>
  new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r(null);
    c.once('exit', r);
    c.kill('SIGTERM');
  });

describe('parley relays', () => {
  it('lists the relays found in the DHT with their latency and use; exclude and pin change the guard at the next start', async () => {
    const alice = join(root, 'alice');
    await background(['testnet', '--dht', '4', '--relays', '2', '--discover-relays']);
    await parley('init', '--home', alice, '--name', 'Alice');
    expect((await parley('relays', '--home', alice)).stdout).toMatch(/No relay known yet/);

    const first = await background(['run', '--home', alice]);
    const relays = JSON.parse((await parley('relays', '--home', alice, '--json')).stdout) as Relay[];
    expect(relays).toHaveLength(2);
    expect(relays.every((r) => r.source === 'dht' && typeof r.rttMs === 'number')).toBe(true);
    const guard = relays.find((r) => r.uses.includes('guard'))!;
    const other = relays.find((r) => r !== guard)!;
    // The other relay holds the mailbox the intro record names (it never sees Alice's IP) and exits her DHT traffic.
    expect(guard.uses).toEqual(['guard']);
    expect(other.uses).toEqual(['intro-mailbox', 'dht-exit']);
    const text = (await parley('relays', '--home', alice)).stdout;
    expect(text).toMatch(/^2 relays known:/);
    expect(text).toContain(`* ${guard.host}:${guard.port}  ${guard.publicKey}`);
    expect(text).toMatch(/in use: guard \(sees your IP\)  \(/);
    expect(text).toMatch(/in use: intro mailbox, DHT exit \(sees the IDs you look up, not your IP\)/);
    expect(text).toMatch(/\d+(\.\d+)? ms/);

    // The public address is learned in the background, from the relays' reflectors.
    const status = await until(async () => {
      const s = JSON.parse((await parley('status', '--home', alice, '--json')).stdout);
      return s.network?.publicAddress ? s : null;
    }, 'status to show the public address a relay saw');
    expect(status.network.dhtNodes).toBeGreaterThan(0);
    expect(status.network.relaysInUse.map((r: Relay) => r.publicKey).sort()).toEqual([guard.publicKey, other.publicKey].sort());
    expect(status.network.publicAddress.host).toBe('127.0.0.1'); // as the relay's reflector saw us
    expect(status.network.direct.possible).toBe(false); // listening on loopback only
    const statusText = (await parley('status', '--home', alice)).stdout;
    expect(statusText).toMatch(/DHT: +\d+ nodes known/);
    expect(statusText).toMatch(/Public address: 127\.0\.0\.1:\d+ \(as your relay sees you; shown to you only\)/);
    expect(statusText).toMatch(/Direct: +not possible: Parley listens on this machine only/);

    // Excluded (through the running Parley's API): never used again, so the next start takes the other.
    expect((await parley('relays', 'exclude', guard.publicKey, '--home', alice)).stdout).toMatch(/^Excluded/);
    await stopped(first.child);
    const second = await background(['run', '--home', alice]); // with its API: status asks it how the DHT traffic goes
    let now = JSON.parse((await parley('relays', '--home', alice, '--json')).stdout) as Relay[];
    expect(now.find((r) => r.publicKey === guard.publicKey)).toMatchObject({ excluded: true, uses: [] });
    expect(now.find((r) => r.publicKey === other.publicKey)?.uses).toContain('guard');
    // One relay left: her DHT traffic waits for a second rather than leave from her address (issue 13 §5).
    const waiting = await until(async () => {
      const out = (await parley('status', '--home', alice)).stdout;
      return out.includes('waiting for a second relay so your DHT lookups do not come from your address') ? out : null;
    }, 'status to say the DHT traffic waits for a second relay');
    expect(waiting).not.toMatch(/leaves from your own address/);
    await stopped(second.child);

    // Pinned: it is the guard again (and no longer excluded), whatever was remembered.
    expect((await parley('relays', 'pin', guard.publicKey, '--home', alice)).stdout).toMatch(/^Pinned/);
    const third = await background(['run', '--home', alice, '--no-ui']);
    now = JSON.parse((await parley('relays', '--home', alice, '--json')).stdout) as Relay[];
    expect(now.find((r) => r.publicKey === guard.publicKey)).toMatchObject({ pinned: true, excluded: false, uses: ['guard'] });
    await stopped(third.child);

    const bad = await failing('relays', 'pin', 'not-a-key', '--home', alice);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a relay key \(44 characters of base64/);
    expect((await failing('relays', 'forget', guard.publicKey, '--home', alice)).stderr).toMatch(/use pin, unpin, exclude or include/);
  }, 180_000); // some twenty CLI processes, three starts of `run`: like the other command-line flows
});
